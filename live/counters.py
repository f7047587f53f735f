"""Likes and viewers: counted atomically (Redis INCRBY across processes, or in memory), broadcast
aggregated. A burst of 1,000 hearts becomes a few `likes` messages, not 1,000.

The totals a joiner's snapshot carries are read at most every FLUSH_S per room and process: a herd
of joiners costs two reads, not two each, and the room's next `likes`/`viewers` message corrects
them within FLUSH_S anyway."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shop.core import clock
from shop.core.grouped import Grouped

FLUSH_S = 0.5
KEEP_ROOMS = 256


class RoomCounters:
    def __init__(
        self, publish: Callable[[dict[str, Any], str], None], redis: Redis | None, prefix: str
    ) -> None:
        self._publish, self._redis, self._prefix = publish, redis, prefix
        self._memory: dict[str, int] = {}
        self._pending: dict[tuple[int, str], str] = {}
        self._totals: dict[int, tuple[float, dict[str, int]]] = {}
        # A herd's adds share a round trip (and a pooled connection, not one each).
        self._adds: Grouped[tuple[str, int], int] = Grouped(self._add_many)

    async def _add(self, key: str, delta: int) -> int:
        """Count a like or a viewer in or out, with the others of the moment (one pipeline)."""
        if self._redis is not None:
            try:
                return await self._adds.call((key, delta))
            except (RedisError, OSError):
                pass  # counts are cosmetic: fall back to this process's view rather than fail the room
        return self._count_here(key, delta)

    async def _read(self, key: str) -> int:
        """One count, read alone: a room whose keys fail costs only its own sample (sampler.py)."""
        if self._redis is not None:
            try:
                return int(await self._redis.incrby(f"{self._prefix}:room:{key}", 0))
            except (RedisError, OSError):
                pass
        return self._count_here(key, 0)

    def _count_here(self, key: str, delta: int) -> int:
        self._memory[key] = self._memory.get(key, 0) + delta
        return self._memory[key]

    async def _add_many(self, adds: list[tuple[str, int]]) -> list[int]:
        """The adds of the moment (a herd joining, a burst of hearts: one each) in one pipeline: an
        INCRBY per room and kind, and every caller gets its key's total after the whole trip."""
        assert self._redis is not None
        deltas: dict[str, int] = {}
        for key, delta in adds:
            deltas[key] = deltas.get(key, 0) + delta
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, delta in deltas.items():
                pipe.incrby(f"{self._prefix}:room:{key}", delta)
            totals = dict(zip(deltas, await pipe.execute(), strict=True))
        return [int(totals[key]) for key, _ in adds]

    @property
    def trips(self) -> int:
        """Round trips the adds took (for the tests)."""
        return self._adds.trips

    async def like(self, stream_id: int, channel: str, count: int = 1) -> None:
        await self._add(f"{stream_id}:likes", count)
        self._schedule(stream_id, "likes", channel)

    async def viewer(self, stream_id: int, channel: str, delta: int) -> int:
        total = await self._add(f"{stream_id}:viewers", delta)
        self._schedule(stream_id, "viewers", channel)
        return max(total, 0)

    async def totals(self, stream_id: int, *, exact: bool = False) -> dict[str, int]:
        """The room's likes and viewers; `exact` reads them now (what the sampler records), else a
        read at most FLUSH_S old (what a joiner's snapshot shows until the next message)."""
        now = time.monotonic()
        read = self._totals.get(stream_id)
        if exact or read is None or now - read[0] >= FLUSH_S:
            if len(self._totals) > KEEP_ROOMS:  # rooms read long ago: their figures are stale anyway
                self._totals = {k: v for k, v in self._totals.items() if now - v[0] < FLUSH_S}
            counts = {kind: max(await self._read(f"{stream_id}:{kind}"), 0) for kind in ("likes", "viewers")}
            read = self._totals[stream_id] = (now, counts)
        return dict(read[1])

    def _schedule(self, stream_id: int, kind: str, channel: str) -> None:
        if (stream_id, kind) in self._pending:
            return
        self._pending[(stream_id, kind)] = channel
        asyncio.get_running_loop().call_later(
            FLUSH_S, lambda: asyncio.ensure_future(self._flush(stream_id, kind))
        )

    async def _flush(self, stream_id: int, kind: str) -> None:
        channel = self._pending.pop((stream_id, kind))
        total = max(await self._read(f"{stream_id}:{kind}"), 0)
        self._publish({"type": kind, "ts": clock.timestamp(), "count": total}, channel)
