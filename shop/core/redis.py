"""The Redis client, when `REDIS_URL` is set. Short timeouts: a hung Redis must fail fast.

Every request-path call either guards its own Redis errors (the gate, the counters, the session
store, the rate limits) or reaches `shop.core.http`, which answers 503 with Retry-After. The
channels (room and notification pushes) run outside requests: `SteadyChannelsBackend` keeps them
alive through an outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("zhongcao")
RELISTEN_S = 1.0


def connect(url: str) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=30,
        decode_responses=False,
    )


class SteadyChannelsBackend(RedisChannelsPubSubBackend):
    """Litestar's pub/sub backend, made to outlive a Redis outage. The channels plugin runs one
    publishing task and one listening task per process, and an error in either ended that task for
    good: every later event of every room and inbox was queued and never sent, and shutdown hung on
    the queue. A publish that fails is dropped (a room's socket catches up from the stream's event
    log by seq, an inbox from its rows); the listener waits a moment and listens again."""

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        try:
            await super().publish(data, channels)
        except (RedisError, OSError) as error:
            log.warning("channel publish dropped, Redis unavailable: %r", error)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            try:
                async for event in super().stream_events():
                    yield event
            except (RedisError, OSError) as error:
                log.warning("channel listener lost Redis, listening again: %r", error)
                await asyncio.sleep(RELISTEN_S)
