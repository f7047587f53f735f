"""An API token's last-use stamp, written at most once a minute per token and off the hot path.

The settings page shows when each token was last used, right to the minute. Stamping it in the
request that used the token made a cold lookup of the cached principal (a flash sale's rush of
scripted buyers) an UPDATE and a commit besides its SELECT. Here the lookup reads only: a stamp
that is due (none yet, or over a minute old, as the lookup read it) is queued, and one writer per
engine writes whatever is queued, many tokens per statement, while the requests go on. A stamp
lost in a crash or a failed write is harmless: the token's next use a minute later writes it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shop.accounts.models import ApiToken

INTERVAL = timedelta(minutes=1)
MAX_REMEMBERED = 100_000
SETTLE_S = 1.0
log = logging.getLogger(__name__)

_stamped: dict[str, datetime] = {}  # token digest -> the stamp this process last wrote or queued
_queued: dict[AsyncEngine, dict[int, tuple[str, datetime]]] = {}
_writers: dict[AsyncEngine, asyncio.Task[None]] = {}


class UsedToken(Protocol):
    """What a stamp needs of a token: an ApiToken row, or the hot path's read of one."""

    @property
    def id(self) -> int: ...
    @property
    def token_digest(self) -> str: ...
    @property
    def last_used_at(self) -> datetime | None: ...


def due(token: UsedToken, now: datetime) -> bool:
    """Whether `now` is worth a write: the stored stamp (as read) and this process's own last
    stamp are both over a minute old. Remembers `now` as stamped when it is."""
    newest = max(filter(None, (token.last_used_at, _stamped.get(token.token_digest))), default=None)
    if newest is not None and now - newest < INTERVAL:
        return False
    if len(_stamped) >= MAX_REMEMBERED:
        _stamped.clear()
    _stamped[token.token_digest] = now
    return True


def stamp_later(engine: AsyncEngine, token: UsedToken, at: datetime) -> None:
    """Queue the stamp; the engine's writer (started if idle) writes it in its next batch."""
    _queued.setdefault(engine, {})[token.id] = (token.token_digest, at)
    loop = asyncio.get_running_loop()
    writer = _writers.get(engine)
    # A writer left by a loop that closed (or one that ended without its `finally`) never runs again.
    if writer is None or writer.done() or writer.get_loop() is not loop:
        _writers[engine] = loop.create_task(_write(engine))


async def settled() -> None:
    """Wait, at most SETTLE_S, for this process's stamps queued so far: a list of tokens read just
    after a use shows it (the writer takes a few milliseconds). Nothing is cancelled on time-out."""
    loop = asyncio.get_running_loop()
    mine = [task for task in _writers.values() if task.get_loop() is loop]
    if mine:
        await asyncio.wait(mine, timeout=SETTLE_S)


async def flush() -> None:
    """Wait until every queued stamp is written (tests, and a clean shutdown)."""
    loop = asyncio.get_running_loop()
    # Only this loop's writers: one left pending by a loop that closed (a test's) never finishes.
    while mine := [task for task in _writers.values() if task.get_loop() is loop]:
        await asyncio.gather(*mine, return_exceptions=True)


async def _write(engine: AsyncEngine) -> None:
    """Write batches until the queue is empty: stamps queued during a write go in the next one."""
    try:
        while batch := _queued.pop(engine, None):
            try:
                await _write_batch(engine, batch)
            except Exception:  # the app keeps serving; the next use writes the stamp again
                log.warning("Could not write %d API token stamps", len(batch), exc_info=True)
                for digest, _ in batch.values():
                    _stamped.pop(digest, None)
    finally:
        if _writers.get(engine) is asyncio.current_task():
            del _writers[engine]


async def _write_batch(engine: AsyncEngine, batch: dict[int, tuple[str, datetime]]) -> None:
    stmt = (
        update(ApiToken)
        .where(ApiToken.id == bindparam("tid"))
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < bindparam("at")))
        .values(last_used_at=bindparam("at"))
        .execution_options(synchronize_session=False)
    )
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # no wait for the WAL flush: a lost stamp is harmless
            await conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        await conn.execute(stmt, [{"tid": tid, "at": at} for tid, (_, at) in sorted(batch.items())])
