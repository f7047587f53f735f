"""Who is asking, without a DB query in the common case: the flash-sale hot path's principal, and
the user behind every Bearer call (its row is then read with its shop in one statement).

A Bearer token or a session resolves to a user id through the DB once, then is cached in this
process for up to 30 s. Each entry carries the user's *auth generation* as read with the DB
lookup (see shop/accounts/principals.py); every revoke (a token deleted, a session revoked or
ended, a password changed) bumps that generation, and an entry is used only while it still
matches. With Redis the generation is a Redis counter, so a revoke in one process is seen at once
by every other (one GET, no SQL); without Redis (the embedded single process) it is a dict in
this module. A failed generation read drops every entry of the process. The TTL bounds what a lost
bump can still cost (a revoke whose INCR failed while the other processes could read Redis, or
Redis restarting empty): an entry is never used longer than `TTL_S`.

Only the id is cached, never a User row: a handler that needs the row still loads it.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.tokenstamps import UsedToken
from shop.core import clock
from shop.core.db import after_commit_task
from shop.core.grouped import Grouped
from shop.core.once import Once

TTL_S = 30.0  # exactness comes from the generation; this only bounds a bump lost while Redis was away
MAX_ENTRIES = 100_000
REDIS_DOWN_S = 1.0  # after a failed generation read, how long the DB alone decides
_local_generations: dict[int, int] = {}  # the embedded mode's generations (one process)


@dataclass(frozen=True, slots=True)
class Entry:
    user_id: int
    generation: int
    fresh_until: float  # time.monotonic()
    token_expires: float | None  # Unix seconds on the app clock, for an expiring API token
    # An API token's row as the lookup read it: a hit still stamps its last use when that is due.
    token: UsedToken | None = None


class AuthCache:
    def __init__(self, redis: Redis | None, prefix: str) -> None:
        self._redis, self._prefix = redis, prefix
        self._entries: dict[str, Entry] = {}
        self._redis_down_until = 0.0  # time.monotonic(): until then, generations are not read
        self._lookups: Once[str, int | None] = Once()
        # Every request of a rush checks its user's generation: those asked at once share an MGET.
        self._generations: Grouped[int, int] = Grouped(self._read_generations)

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:authgen:{user_id}"

    async def generation(self, user_id: int) -> int | None:
        """The user's generation; None when it cannot be read (then nothing cached is trusted).

        A failed read forgets every entry: a revoke made while Redis was away lost its bump, and
        entries kept through the outage would be trusted again when Redis is back. For REDIS_DOWN_S
        after it, no read is tried: every credential is checked in the DB (as without the cache),
        and a stalled Redis costs a request no socket timeout, let alone one per lookup."""
        if self._redis is None:
            return _local_generations.get(user_id, 0)
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            return await self._generations.call(user_id)
        except (RedisError, OSError):
            self._entries.clear()
            self._redis_down_until = time.monotonic() + REDIS_DOWN_S
            return None

    async def _read_generations(self, user_ids: list[int]) -> list[int]:
        if self._redis is None:  # the embedded mode reads its dict, never this
            return [_local_generations.get(user_id, 0) for user_id in user_ids]
        values = await self._redis.mget([self._key(user_id) for user_id in user_ids])
        return [int(value or 0) for value in values]

    async def bump(self, user_id: int) -> None:
        """Invalidate every cached credential of this user, here and in every other process."""
        self._entries = {k: e for k, e in self._entries.items() if e.user_id != user_id}
        if self._redis is None:
            _local_generations[user_id] = _local_generations.get(user_id, 0) + 1
            return
        with contextlib.suppress(RedisError, OSError):  # the TTL bounds a bump lost this way
            await self._redis.incr(self._key(user_id))

    async def cached(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.fresh_until <= time.monotonic():
            return None
        if entry.token_expires is not None and entry.token_expires <= clock.now().timestamp():
            return None
        if await self.generation(entry.user_id) != entry.generation:
            return None
        return entry

    async def once(self, key: str, lookup: Callable[[], Awaitable[int | None]]) -> int | None:
        """Run `lookup` once for concurrent misses of one key (a buyer's simultaneous retries)."""
        return await self._lookups(key, lookup)

    def store(
        self,
        key: str,
        user_id: int,
        generation: int,
        token_expires: float | None,
        token: UsedToken | None = None,
    ) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            now = time.monotonic()
            self._entries = {k: e for k, e in self._entries.items() if e.fresh_until > now}
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
        self._entries[key] = Entry(user_id, generation, time.monotonic() + TTL_S, token_expires, token)


_installed: list[AuthCache] = []


def install(cache: AuthCache) -> None:
    """create_app registers its cache, so a revoke in the services reaches it."""
    _installed.append(cache)
    del _installed[:-4]  # tests build a few apps in one process; keep the newest


async def revoked(db: AsyncSession, user_id: int) -> None:
    """Call where a credential of `user_id` dies: bumped now (other requests stop trusting their
    entries at once) and again after the commit (an entry filled in between is dropped too)."""
    for cache in list(_installed):
        await cache.bump(user_id)
        after_commit_task(db, functools.partial(cache.bump, user_id))
