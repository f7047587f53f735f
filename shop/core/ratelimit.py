"""Atomic attempt counters for login throttling, shared by every worker when Redis is set.

Litestar's RateLimitMiddleware does get-then-set per process, so it cannot bound attempts across
workers. Redis INCR is atomic; the in-memory counter serves the single-process mode.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis


@runtime_checkable
class AttemptCounter(Protocol):
    async def hit(self, key: str, window_s: int) -> int: ...
    async def count(self, key: str) -> tuple[int, int]: ...
    async def reset(self, key: str) -> None: ...


class RedisAttemptCounter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, window_s: int) -> int:
        name = f"{self._prefix}:attempts:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_s, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def count(self, key: str) -> tuple[int, int]:
        """Return (attempts, seconds until the window resets)."""
        name = f"{self._prefix}:attempts:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            value, ttl = await pipe.execute()
        return int(value or 0), max(int(ttl), 0)

    async def reset(self, key: str) -> None:
        await self._redis.delete(f"{self._prefix}:attempts:{key}")


class MemoryAttemptCounter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

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
        return count + 1

    async def count(self, key: str) -> tuple[int, int]:
        count, expires_at = self._live(key)
        return count, max(int(expires_at - time.monotonic()), 0)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)
