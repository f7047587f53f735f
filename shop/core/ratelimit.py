"""Atomic counters for login throttling, rate limits and engagement caps, shared by every worker with Redis.

Litestar's RateLimitMiddleware does get-then-set per process, so it cannot bound attempts across
workers. Redis INCR is atomic; the in-memory counter serves the single-process mode.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shop.core.errors import RateLimited, ServiceUnavailable
from shop.core.grouped import Grouped


@runtime_checkable
class AttemptCounter(Protocol):
    async def hit(self, key: str, window_s: int) -> int: ...
    async def hit_many(self, keys: Sequence[str], window_s: int) -> list[int]: ...
    async def count(self, key: str) -> tuple[int, int]: ...
    async def reset(self, key: str) -> None: ...
    async def undo_many(self, keys: Sequence[str]) -> None: ...


@contextlib.asynccontextmanager
async def _fail_closed() -> AsyncIterator[None]:
    """A counter that cannot count refuses (503), rather than letting every attempt through or
    answering 500: a stalled Redis is a moment's outage, not a bug."""
    try:
        yield
    except (RedisError, OSError) as error:
        raise ServiceUnavailable("Please try again in a moment.", retry_after=2) from error


# INCR each key; a window starts at its key's first hit (EXPIRE NX keeps a running window's end).
_HIT_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1], 'NX')
end
return counts
"""


class RedisAttemptCounter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._hit_script = redis.register_script(_HIT_LUA)
        self._hits: dict[int, Grouped[list[str], list[int]]] = {}  # by window: one script per moment

    async def hit(self, key: str, window_s: int) -> int:
        [count] = await self.hit_many([key], window_s)
        return count

    async def hit_many(self, keys: Sequence[str], window_s: int) -> list[int]:
        """`hit` each key in order (a key may repeat) in one round trip; the count after each hit.
        One script call, not a MULTI/EXEC pipeline of 2 commands a key, shared with the other
        callers of the moment: far less to send and parse on a flash sale's rush, where every
        reservation takes two slots."""
        if not keys:
            return []
        hits = self._hits.get(window_s)
        if hits is None:
            hits = self._hits[window_s] = Grouped(functools.partial(self._hit_groups, window_s))
        async with _fail_closed():
            return await hits.call([f"{self._prefix}:attempts:{key}" for key in keys])

    async def _hit_groups(self, window_s: int, groups: list[list[str]]) -> list[list[int]]:
        """The hits of every caller of the moment, in order, in one script call (as if one by one)."""
        counts = iter(
            await self._hit_script(keys=[name for names in groups for name in names], args=[window_s])
        )
        return [[int(next(counts)) for _ in names] for names in groups]

    async def count(self, key: str) -> tuple[int, int]:
        """Return (attempts, seconds until the window resets)."""
        name = f"{self._prefix}:attempts:{key}"
        async with _fail_closed(), self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            value, ttl = await pipe.execute()
        return int(value or 0), max(int(ttl), 0)

    async def reset(self, key: str) -> None:
        async with _fail_closed():
            await self._redis.delete(f"{self._prefix}:attempts:{key}")

    async def undo_many(self, keys: Sequence[str]) -> None:
        """Give back one hit of each key (a slot taken for an attempt that did not count)."""
        async with _fail_closed(), self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.decr(f"{self._prefix}:attempts:{key}")
            await pipe.execute()


class MemoryAttemptCounter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._hits = 0

    def _live(self, key: str) -> tuple[int, float]:
        count, expires_at = self._windows.get(key, (0, 0.0))
        if expires_at <= time.monotonic():
            return 0, 0.0
        return count, expires_at

    async def hit(self, key: str, window_s: int) -> int:
        count, expires_at = self._live(key)
        if not expires_at:
            expires_at = time.monotonic() + window_s
        self._windows[key] = (count + 1, expires_at)
        self._hits += 1
        if self._hits % 4096 == 0:  # forget closed windows now and then, or many keys pile up
            now = time.monotonic()
            self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        return count + 1

    async def hit_many(self, keys: Sequence[str], window_s: int) -> list[int]:
        return [await self.hit(key, window_s) for key in keys]

    async def count(self, key: str) -> tuple[int, int]:
        count, expires_at = self._live(key)
        return count, max(int(expires_at - time.monotonic()), 0)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def undo_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            count, expires_at = self._live(key)
            if count > 0:
                self._windows[key] = (count - 1, expires_at)


async def take_slots(counter: AttemptCounter, limits: dict[str, int], window_s: int, message: str) -> None:
    """Count an attempt against each key before it is tried (an atomic INCR, so attempts at once
    cannot all read "under the limit"); over any limit, give the slots back and refuse (429).
    The caller resets or gives back the slots when the attempt turns out not to be a failure."""
    keys = list(limits)
    taken = await counter.hit_many(keys, window_s)
    over = [key for key, count in zip(keys, taken, strict=True) if count > limits[key]]
    if over:
        await counter.undo_many(keys)  # a refused attempt is not a failure of its own
        _, retry_after = await counter.count(over[0])
        raise RateLimited(message, retry_after=retry_after or window_s)
