"""Group commits for admitted holds: one writer per engine (one per process and database) takes
every ledger row queued while its previous transaction was in flight, up to `MAX_BATCH`, and
writes them in one transaction (one multi-row INSERT, one commit), so a rush of admitted holds
costs a few commits instead of one each.

`write` returns only once its row is committed, so a reservation is never answered before its
ledger row is durable. If the transaction fails, every caller of the batch gets the error: each
gives its own hold back to the gate and answers as the single-hold path did (fail closed). A
caller that stops waiting (a client gone) leaves its row in the batch: a committed hold expires
as any other, and a failed one is given back by the orphan sweep (orphans.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from live.flash_sales.models import FlashSaleHold
from shop.core.db import PerEngine
from shop.core.errors import ServiceUnavailable

MAX_BATCH = 200
log = logging.getLogger("zhongcao.live")

Pending = tuple[dict[str, Any], asyncio.Future[None]]


class HoldWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: list[Pending] = []
        self._task: asyncio.Task[None] | None = None
        self.transactions = 0  # committed batches, for the tests and the benchmark's report

    async def write(self, row: dict[str, Any]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, done))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())
        await done

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the requests admitted in this turn of the loop join the first batch
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[Pending]) -> None:
        try:
            await self._insert([row for row, _ in batch])
        except Exception as error:
            if len(batch) > 1 and not _outage(error):  # one bad row must not fail the others
                for pending in batch:
                    await self._write_batch([pending])
                return
            for _, done in batch:
                if not done.done():  # a caller that stopped waiting has a cancelled future
                    done.set_exception(error)
        else:
            self.transactions += 1
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        async with self._engine.begin() as conn:
            # executemany, not .values(rows): one statement compiled once and cached, where a
            # multi-row VALUES is compiled afresh for every batch size
            await conn.execute(insert(FlashSaleHold), rows)


writer_for = PerEngine(HoldWriter)


def _outage(error: Exception) -> bool:
    """The database away (every row would fail alike), not one row's fault."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


async def write_hold(db: AsyncSession, row: dict[str, Any]) -> None:
    """Through the engine's writer; a session bound to one connection (not an engine) commits alone.
    Any failure is a 503 (fail closed): the caller gives its hold back to the gate."""
    try:
        if isinstance(db.bind, AsyncEngine):
            await writer_for(db.bind).write(row)
        else:
            await db.execute(insert(FlashSaleHold).values([row]))
            await db.commit()
    except Exception as error:
        log.warning("flash sale %s: hold %s not written: %r", row["sale_id"], row["reservation_id"], error)
        raise ServiceUnavailable("Your reservation could not be saved. Try again.", retry_after=1) from error
