"""API tokens' rows read in groups: a flash sale's rush of first requests is a few SELECTs, not one each.

When a sale opens, every scripted buyer's first request misses the principal cache at once. Read
one by one, each miss cost a pooled connection, a round trip and SQLAlchemy's work around it, and
the pool was the queue. Here the misses that arrive while a read is in flight wait for the next
one: a single `SELECT … WHERE token_digest IN (…)` of up to `MAX_BATCH` digests, on the engine's
autocommit reader (shop/core/db.py), answers all of them. A read that fails fails each of its
waiters, as a lookup of their own would have; nothing is retried here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shop.accounts.models import ApiToken
from shop.core.db import build_reader, one_per_engine

MAX_BATCH = 500
_ROWS = select(
    ApiToken.id, ApiToken.user_id, ApiToken.token_digest, ApiToken.expires_at, ApiToken.last_used_at
).where(ApiToken.token_digest.in_(bindparam("digests", expanding=True)))


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_id: int
    token_digest: str
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenReads:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._waiting: dict[str, list[Waiter]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.reads = 0  # SELECTs run, for the tests

    async def row(self, digest: str) -> TokenRow | None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a reader left by a loop that closed would never run again
            self._waiting, self._task, self._loop = {}, None, loop
        found: Waiter = loop.create_future()
        self._waiting.setdefault(digest, []).append(found)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await found

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the misses of this turn of the loop join the first read
        while self._waiting:
            digests = list(self._waiting)[:MAX_BATCH]
            batch = {digest: self._waiting.pop(digest) for digest in digests}
            try:
                rows = await self._read(digests)
            except Exception as error:
                for waiters in batch.values():
                    _settle(waiters, error=error)
            else:
                for digest, waiters in batch.items():
                    _settle(waiters, row=rows.get(digest))

    async def _read(self, digests: list[str]) -> dict[str, TokenRow]:
        async with build_reader(self._engine).connect() as conn:
            result = await conn.execute(_ROWS, {"digests": digests})
        self.reads += 1
        return {row.token_digest: TokenRow(*row) for row in result}


Waiter = asyncio.Future[TokenRow | None]


def _settle(waiters: list[Waiter], row: TokenRow | None = None, error: Exception | None = None) -> None:
    for found in waiters:
        if found.done():  # a caller that stopped waiting has a cancelled future
            continue
        if error is not None:
            found.set_exception(error)
        else:
            found.set_result(row)


reads_for = one_per_engine(TokenReads)
