"""Redis paused (issue 13), as `CLIENT PAUSE` stalls it: no request answers 500. A flash sale
launched meanwhile is launched once (201: it is committed, so a 503 would invite a second launch)
and sells once Redis is back; the room's channel, whose publishing task used to die on the failed
"started" event (every later event of the process queued for good), carries events again; and a
Redis call no code guards answers 503 with Retry-After through the app's exception handlers.
Runs against the machine's Redis on every backend, like test_redis_faults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from litestar import Litestar, get
from litestar.channels import ChannelsPlugin
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale
from live.services import channel_name
from shop.core import redis as zc_redis
from shop.core.http import exception_handlers
from tests.helpers import Client, register
from tests.integration.fault_helpers import (  # noqa: F401 (fixtures: settings, redis)
    REDIS_URL,
    redis_fault_settings,
    unpausing_redis,
)
from tests.live_helpers import live_room

SALE = {"quantity": 10, "price": {"amount": 1999, "currency": "USD"}, "per_customer_limit": 3}


def _bearer(app: Litestar, token: str) -> httpx.AsyncClient:
    """A script: its token only, no cookies (so no session store in the way)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver.local",
        headers={"Authorization": f"Bearer {token}"},
    )


async def _token(client: Client) -> str:
    made = await client.post("/api/v1/auth/tokens", json={"name": "script"})
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


async def _next_of_type(events: AsyncIterator[bytes], kind: str) -> dict[str, Any]:
    async for raw in events:
        event = json.loads(raw)
        if event.get("type") == kind:
            return dict(event)
    raise AssertionError("the subscription ended")


async def test_a_sale_launched_while_redis_is_paused_is_launched_once_and_the_room_recovers(
    app: Litestar, client: Client, other_client: Client, third_client: Client, db: AsyncSession, redis: Redis
) -> None:
    room = await live_room(client, other_client, stock=50)
    host = _bearer(app, await _token(client))
    await register(third_client, "after-pause@example.com")
    shopper = _bearer(app, await _token(third_client))
    channels = app.plugins.get(ChannelsPlugin)
    body = {**SALE, "variant_id": room["variant_id"], "duration_s": 600, "countdown_s": 0}

    async with channels.start_subscription([channel_name(room["stream_id"])]) as subscriber:
        await redis.execute_command("CLIENT", "PAUSE", 5000, "ALL")
        try:  # the "started" event is published and the gate loaded while Redis is stalled
            launched = await host.post(f"/api/v1/streams/{room['stream_id']}/flash-sales", json=body)
        finally:
            await redis.execute_command("CLIENT", "UNPAUSE")
        assert launched.status_code == 201, launched.text
        assert await db.scalar(select(func.count(FlashSale.id))) == 1

        pinned = await host.post(
            f"/api/v1/streams/{room['stream_id']}/pin", json={"product_id": room["product"]["id"]}
        )
        assert pinned.status_code == 200, pinned.text
        event = await asyncio.wait_for(_next_of_type(subscriber.iter_events(), "pin"), timeout=10)
        assert event["product"]["id"] == room["product"]["id"]

    sale_id = launched.json()["id"]
    reserved = await shopper.post(f"/api/v1/flash-sales/{sale_id}/reservations", json={"quantity": 2})
    assert reserved.status_code == 201, reserved.text  # the gate rebuilt the books from the ledger
    assert reserved.json()["remaining"] == 8
    await host.aclose()
    await shopper.aclose()


async def test_an_unguarded_redis_call_answers_503_with_retry_after(redis: Redis) -> None:
    client = zc_redis.connect(REDIS_URL)

    @get("/api/probe")
    async def probe() -> dict[str, str]:
        return {"value": str(await client.get("zc-probe"))}

    app = Litestar(route_handlers=[probe], exception_handlers=exception_handlers)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/api/probe")).status_code == 200
        await redis.execute_command("CLIENT", "PAUSE", 5000, "ALL")
        try:
            stalled = await http.get("/api/probe")
        finally:
            await redis.execute_command("CLIENT", "UNPAUSE")
    await client.aclose()
    assert stalled.status_code == 503, stalled.text
    assert stalled.json() == {"code": "service_unavailable", "message": "Please try again in a moment."}
    assert int(stalled.headers["retry-after"]) > 0
