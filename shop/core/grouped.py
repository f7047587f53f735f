"""Reads grouped by the moment they are asked: the keys asked while a read is in flight share the next.

On a flash sale's rush, hundreds of requests ask the same kind of question at once (whose token is
this? is this user's auth generation still N?). Asked one by one, each is a round trip and the
client library's work around it. A `GroupedReads` answers every key asked in one turn of the loop,
and every key asked while that read is in flight, with one call of `read_many` (up to `max_batch`
keys). A read that fails fails each of its waiters, as a read of their own would have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class GroupedReads(Generic[K, V]):
    def __init__(self, read_many: Callable[[list[K]], Awaitable[dict[K, V]]], max_batch: int = 500) -> None:
        self._read_many, self._max_batch = read_many, max_batch
        self._waiting: dict[K, list[asyncio.Future[V | None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.reads = 0  # calls of read_many, for the tests

    async def read(self, key: K) -> V | None:
        """The value `read_many` gave for `key`, None when it gave none."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a drain left by a loop that closed would never run again
            self._waiting, self._task, self._loop = {}, None, loop
        found: asyncio.Future[V | None] = loop.create_future()
        self._waiting.setdefault(key, []).append(found)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await found

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the keys asked in this turn of the loop join the first read
        while self._waiting:
            batch = {key: self._waiting.pop(key) for key in list(self._waiting)[: self._max_batch]}
            try:
                self.reads += 1
                values = await self._read_many(list(batch))
            except Exception as error:
                for waiters in batch.values():
                    _settle(waiters, None, error)
            else:
                for key, waiters in batch.items():
                    _settle(waiters, values.get(key), None)


def _settle(waiters: list[asyncio.Future[V | None]], value: V | None, error: Exception | None) -> None:
    for found in waiters:
        if found.done():  # a caller that stopped waiting has a cancelled future
            continue
        if error is not None:
            found.set_exception(error)
        else:
            found.set_result(value)
