"""Calls grouped by the moment they are made: the calls made while one is in flight share the next.

On a flash sale's rush, hundreds of requests ask the same kind of question at once (whose token is
this? is this user's auth generation still N? may this buyer hold a unit?). Asked one by one, each
is a round trip and the client library's work around it. A `Grouped` answers every call made in
one turn of the loop, and every call made while that round trip is in flight, with one call of
`call_many` (up to `max_batch` arguments, in order, repeats allowed), which gives one result per
argument in the same order. A round trip that fails fails each of its callers, as a call of their
own would have. Calls queue behind the trip in flight, so the store's own timeout (Redis's 0.5 s
socket timeout, the database's) bounds how long a stuck trip holds them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

A = TypeVar("A")
R = TypeVar("R")


class Grouped(Generic[A, R]):
    def __init__(self, call_many: Callable[[list[A]], Awaitable[list[R]]], max_batch: int = 500) -> None:
        self._call_many, self._max_batch = call_many, max_batch
        self._waiting: list[tuple[A, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.trips = 0  # calls of call_many, for the tests

    async def call(self, argument: A) -> R:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a drain left by a loop that closed would never run again
            self._waiting, self._task, self._loop = [], None, loop
        answer: asyncio.Future[R] = loop.create_future()
        self._waiting.append((argument, answer))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await answer

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the calls made in this turn of the loop join the first trip
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
            try:
                self.trips += 1
                results = await self._call_many([argument for argument, _ in batch])
            except BaseException as error:
                for _, answer in batch:
                    if answer.done():  # a caller that stopped waiting has a cancelled future
                        continue
                    if isinstance(error, Exception):
                        answer.set_exception(error)
                    else:  # this drain was cancelled (the loop shutting down): nobody waits forever
                        answer.cancel()
                if not isinstance(error, Exception):
                    for _, answer in self._waiting:
                        answer.cancel()
                    self._waiting = []
                    raise
            else:
                for (_, answer), result in zip(batch, results, strict=True):
                    if not answer.done():
                        answer.set_result(result)
