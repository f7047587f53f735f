"""Scale-out: two app processes on different ports share PostgreSQL and Redis.

A viewer on process B sees pins and stock changes caused on process A, and 200 buyers split over
both processes never oversell 20 units. Runs in the PostgreSQL + Redis stage of scripts/test.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shop.settings import Settings
from tests.helpers import ROOT, Client, free_port, wait_for
from tests.live_helpers import buyers, launch_sale, live_room


@pytest.fixture
def two_processes(base_settings: Settings, stripe_sandbox: str, tmp_path: Any) -> Iterator[tuple[str, str]]:
    if not base_settings.db_url.startswith("postgresql") or not base_settings.redis_url:
        raise RuntimeError(
            "the scale-out test needs PostgreSQL and Redis (scripts/test runs it in that stage)"
        )
    prefix = f"zc-2p-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DATABASE_URL": base_settings.db_url,
        "REDIS_URL": base_settings.redis_url,
        "REDIS_PREFIX": prefix,
        "VAR_DIR": str(tmp_path),
        "RUN_JOBS": "false",
        "STRIPE_API_BASE": stripe_sandbox,
        "SECRET_KEY": base_settings.signing_key,
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "shop", "serve", "--port", str(p), "--quiet"], cwd=ROOT, env=env
        )
        for p in ports
    ]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health")
        yield f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[1]}"
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message["type"] == kind:
            return dict(message)


async def test_viewer_on_b_sees_a_and_the_sale_never_oversells(
    two_processes: tuple[str, str], db: AsyncSession
) -> None:
    a, b = two_processes
    async with (
        httpx.AsyncClient(base_url=f"http://{a}") as host_raw,
        httpx.AsyncClient(base_url=f"http://{a}") as merchant_raw,
    ):
        host, merchant = Client(host_raw), Client(merchant_raw)
        room = await live_room(host, merchant, stock=100)
        async with connect(f"ws://{b}/live/streams/{room['stream_id']}/ws") as viewer:
            await viewer.recv()
            await host.post(
                f"/api/v1/streams/{room['stream_id']}/pin", json={"product_id": room["product"]["id"]}
            )
            assert (await _next(viewer, "pin"))["product"]["id"] == room["product"]["id"]
            sale = await launch_sale(host, room, quantity=20, limit=1)
            assert (await _next(viewer, "flash_sale"))["flash_sale"]["id"] == sale["id"]
            tokens = await buyers(db, 200)
            codes = await asyncio.gather(
                *(_reserve(a if i % 2 else b, sale["id"], t) for i, t in enumerate(tokens))
            )
            assert codes.count(201) == 20
            assert codes.count(409) == 180
            remaining = (await _next(viewer, "stock"))["remaining"]
            while remaining != 0:
                remaining = (await _next(viewer, "stock"))["remaining"]
            # The served app caps a client frame (ws_max_size): too long is answered, huge is closed.
            await viewer.send("x" * 10_000)
            assert (await _next(viewer, "error"))["code"] == "too_long"
            await viewer.send("x" * 100_000)
            with pytest.raises(ConnectionClosed):
                await _next(viewer, "never")
            assert viewer.close_code == 1009  # message too big
        ledger = (await host.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert ledger == {
        "quantity": 20,
        "sold": 0,
        "held": 20,
        "available": 0,
        "released": 0,
        "invariant_ok": True,
    }


async def _reserve(server: str, sale_id: int, token: str) -> int:
    async with httpx.AsyncClient(
        base_url=f"http://{server}", timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        response = await client.post(f"/api/v1/flash-sales/{sale_id}/reservations", json={"quantity": 1})
        return response.status_code
