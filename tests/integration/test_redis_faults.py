"""Redis paused mid-sale (issue 13): `CLIENT PAUSE` stalls every command, as a Redis under a long
fork or a network stall does. Reservations fail closed within the client's timeout (503 with
Retry-After), nothing is held in the ledger, and a script that ran in Redis after the client gave
up is an orphan the sweeper gives back. Runs against the machine's Redis on every backend."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import ModuleType

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import jobs
from live.flash_sales.models import FlashSale, FlashSaleHold
from live.flash_sales.orphans import ORPHAN_AFTER
from live.flash_sales.services import terms
from shop.accounts.authcache import REDIS_DOWN_S
from shop.core.errors import ServiceUnavailable
from tests.helpers import Client, register
from tests.integration.fault_helpers import (  # noqa: F401 (fixtures: settings, redis)
    REDIS_URL,
    redis_fault_settings,
    unpausing_redis,
)
from tests.live_helpers import launch_sale, live_room, queries_of


async def test_reservations_fail_closed_while_redis_is_paused_and_nothing_is_lost(
    app: Litestar,
    client: Client,
    other_client: Client,
    db: AsyncSession,
    redis: Redis,
    clock: ModuleType,
) -> None:
    room = await live_room(client, other_client, stock=20)
    sale = await launch_sale(client, room, quantity=10, limit=3)
    buyer = await register(other_client, "paused-buyer@example.com")
    token = (await other_client.post("/api/v1/auth/tokens", json={"name": "bot"})).json()["token"]
    bot = httpx.AsyncClient(  # a script: its token only, no cookies
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver.local",
        headers={"Authorization": f"Bearer {token}"},
    )
    url = f"/api/v1/flash-sales/{sale['id']}/reservations"
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]

    await redis.execute_command("CLIENT", "PAUSE", 5000, "ALL")
    try:
        stalled = await bot.post(url, json={"quantity": 2})
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
    assert stalled.status_code == 503, stalled.text
    assert int(stalled.headers["retry-after"]) > 0
    assert await db.scalar(select(func.count(FlashSaleHold.id))) == 0  # nothing in the ledger

    row = await db.get(FlashSale, sale["id"])
    assert row is not None
    await redis.execute_command("CLIENT", "PAUSE", 5000, "ALL")
    try:  # past the limiter: the gate's own script is sent, and the client gives up on it
        with pytest.raises(ServiceUnavailable):
            await gate.reserve(terms(row), buyer["id"], 2, "late-script", clock.now().timestamp())
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
    assert await gate.remaining(sale["id"]) in (8, 10)  # the script ran once Redis woke, or not at all

    clock.advance(ORPHAN_AFTER + timedelta(seconds=1))
    await jobs.expire_holds(app.state["sessions"], gate, None)
    assert await gate.remaining(sale["id"]) == 10  # a script that ran late was given back
    again = await bot.post(url, json={"quantity": 2})
    await bot.aclose()
    assert again.status_code == 201, again.text
    assert again.json()["remaining"] == 8


async def test_bearer_calls_go_on_from_the_db_while_redis_is_paused_and_forget_the_cache(
    app: Litestar, client: Client, redis: Redis
) -> None:
    """A Bearer call's user comes from the auth cache, trusted only while its generation can be
    read. Redis stalled: one read times out, the DB decides, and for REDIS_DOWN_S no request waits
    on Redis again. The entries cached before the outage are dropped (a revoke during it lost its
    bump), so the first call after it reads the token's row again."""
    await register(client, "paused-api@example.com")
    token = (await client.post("/api/v1/auth/tokens", json={"name": "cli"})).json()["token"]
    bot = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver.local",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (await bot.get("/api/v1/me")).status_code == 200
    with queries_of(app, "api_tokens", reader=True) as reads:
        assert (await bot.get("/api/v1/me")).status_code == 200
    assert reads == []  # cached: no token SELECT

    await redis.execute_command("CLIENT", "PAUSE", 5000, "ALL")
    try:
        first = await bot.get("/api/v1/me")  # its generation read times out (0.5 s)
        # Well under the client's timeout: none of these waits on Redis.
        later = [await asyncio.wait_for(bot.get("/api/v1/me"), 0.4) for _ in range(3)]
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
    assert [r.status_code for r in (first, *later)] == [200] * 4

    await asyncio.sleep(REDIS_DOWN_S)
    with queries_of(app, "api_tokens", reader=True) as reads:
        assert (await bot.get("/api/v1/me")).status_code == 200
    assert len(reads) == 1  # the entry went with the outage
    with queries_of(app, "api_tokens", reader=True) as reads:
        assert (await bot.get("/api/v1/me")).status_code == 200
    assert reads == []
    await bot.aclose()
