"""One piece of work for a herd: concurrent callers asking for the same key share the first one's.

When a flash sale opens, hundreds of requests find the same thing missing at the same moment (a
token's row, a sale's facts, the gate's books after Redis restarted). Each reading it for itself
queues them all on the database pool for one answer. `Once` lets the first caller of a key do the
work; the others wait for its answer. If that work fails, each waiter does its own (its error is
then its own, as before), so one caller's bad luck (a cancelled client) is never everyone's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


class _LeaderFailed(Exception):
    pass


class Once(Generic[K, R]):
    def __init__(self) -> None:
        self._pending: dict[K, asyncio.Future[R]] = {}

    async def __call__(self, key: K, work: Callable[[], Awaitable[R]]) -> R:
        pending = self._pending.get(key)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            with contextlib.suppress(_LeaderFailed):
                return await asyncio.shield(pending)
            return await work()
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            found = await work()
        except BaseException:
            future.set_exception(_LeaderFailed())
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        else:
            future.set_result(found)
            return found
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
