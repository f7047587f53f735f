"""The room's broadcast across two app processes sharing Redis (live.hub): viewers on both processes
get an event made on one of them, and each process holds one Redis subscription to the room, however
many of its sockets watch it."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

import httpx
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from live import services
from shop.settings import Settings
from tests.helpers import Client
from tests.live_helpers import live_room, next_message
from tests.scaled.test_two_processes import two_processes  # noqa: F401  (the fixture)

PER_PROCESS = 6


async def test_viewers_on_both_processes_get_the_event_over_one_subscription_each(
    two_processes: tuple[str, str],  # noqa: F811
    base_settings: Settings,
) -> None:
    a, b = two_processes
    async with (
        httpx.AsyncClient(base_url=f"http://{a}") as host_raw,
        httpx.AsyncClient(base_url=f"http://{a}") as merchant_raw,
        AsyncExitStack() as sockets,
    ):
        host = Client(host_raw)
        room = await live_room(host, Client(merchant_raw), stock=10)
        stream_id = room["stream_id"]
        viewers = [
            await sockets.enter_async_context(connect(f"ws://{where}/live/streams/{stream_id}/ws"))
            for where in (a, b)
            for _ in range(PER_PROCESS)
        ]
        seqs = {json.loads(await ws.recv())["seq"] for ws in viewers}
        assert len(seqs) == 1
        assert base_settings.redis_url is not None
        redis = Redis.from_url(base_settings.redis_url)
        try:
            subscribed = dict(await redis.pubsub_numsub(services.channel_name(stream_id)))
        finally:
            await redis.aclose()
        assert list(subscribed.values()) == [2]  # one per process, not one per socket
        pinned = await host.post(
            f"/api/v1/streams/{stream_id}/pin", json={"product_id": room["product"]["id"]}
        )
        assert pinned.status_code == 200
        pins = await asyncio.gather(*(next_message(ws, "pin") for ws in viewers))
        assert {p["seq"] for p in pins} == {seqs.pop() + 1}
