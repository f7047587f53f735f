"""The rollup: engagement events folded into `engagement_daily`, incrementally, once each.

    mark (rollup_marks.last_id) ──▶ events with id in (mark, upper] ──GROUP BY──▶ upsert daily rows
                                                                                   mark = upper

- **Incremental**: only events above the stored high-water mark are read; a run moves the mark in
  the same transaction as the rows it adds, so a crash leaves both as they were.
- **Once each, even two at a time**: a run locks the mark's row (`UPDATE … SET last_id = last_id`:
  a row lock on PostgreSQL, the write lock on SQLite) before reading it; a second run waits, then
  reads the moved mark and finds nothing left. Running it again is a no-op: idempotent.
- **No event skipped**: on PostgreSQL ids come from a sequence, so id 100 may commit after 101.
  `upper` is read under `LOCK TABLE … IN SHARE MODE` (it waits for every transaction that is
  inserting events to finish, for a moment), so nothing at or below it can still appear. SQLite
  has one writer at a time, so its ids commit in order.
- **Set-based**: one INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE per chunk of ids, on both
  databases. `visitors` and `shop_visitors` add up because each event carries whether it was its
  visitor's first of the day (see `services.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shop.analytics.models import EngagementDaily, EngagementEvent, RollupMark
from shop.core.db import insert_ignoring_conflict
from shop.core.retry import describe

log = logging.getLogger("zhongcao.analytics")

MARK = "engagement_daily"
CHUNK = 250_000  # event ids per transaction: bounded work, and a long backlog still moves
KEY = ("merchant_id", "day", "type", "note_id", "product_id", "stream_id")

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Rollup:
    events: int
    seconds: float

    @property
    def seconds_per_million(self) -> float:
        return self.seconds * 1_000_000 / self.events if self.events else 0.0


def session_factory(source: SessionFactory | AsyncEngine | AsyncSession) -> SessionFactory:
    """Sessions from a sessionmaker, an engine, or a session's engine (never the session itself:
    the rollup commits its own transactions)."""
    if isinstance(source, async_sessionmaker):
        return source
    engine = source if isinstance(source, AsyncEngine) else source.bind
    if not isinstance(engine, AsyncEngine):
        raise TypeError("roll_up needs a sessionmaker, an AsyncEngine or a session bound to one")
    return async_sessionmaker(engine, expire_on_commit=False)


async def _committed_upper(db: AsyncSession) -> int:
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("LOCK TABLE engagement_events IN SHARE MODE"))
    return int(await db.scalar(select(func.coalesce(func.max(EngagementEvent.id), 0))) or 0)


async def _claim(db: AsyncSession) -> int:
    """Lock the mark's row for this transaction and return the last event id rolled up."""
    await insert_ignoring_conflict(db, RollupMark, {"name": MARK, "last_id": 0})
    stmt = (
        update(RollupMark)
        .where(RollupMark.name == MARK)
        .values(last_id=RollupMark.last_id)
        .returning(RollupMark.last_id)
    )
    return int((await db.execute(stmt)).scalar_one())


def _fold_statement(dialect_name: str, low: int, high: int) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    e = EngagementEvent
    key = (
        e.merchant_id,
        e.day,
        e.type,
        func.coalesce(e.note_id, 0),
        func.coalesce(e.product_id, 0),
        func.coalesce(e.stream_id, 0),
    )
    grouped = (
        select(
            *key,
            func.count(),
            func.sum(case((e.new_visitor, 1), else_=0)),
            func.sum(case((e.new_in_shop, 1), else_=0)),
        )
        .where(e.id > low, e.id <= high)
        .group_by(*key)
    )
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(EngagementDaily).from_select([*KEY, "count", "visitors", "shop_visitors"], grouped)
    daily, new = EngagementDaily, stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            "count": daily.count + new.count,
            "visitors": daily.visitors + new.visitors,
            "shop_visitors": daily.shop_visitors + new.shop_visitors,
        },
    )


async def _fold(db: AsyncSession, low: int, high: int) -> int:
    """Add events (low, high] to the daily rows; how many events that was."""
    await db.execute(_fold_statement(db.get_bind().dialect.name, low, high))
    await db.execute(update(RollupMark).where(RollupMark.name == MARK).values(last_id=high))
    found = select(func.count()).where(EngagementEvent.id > low, EngagementEvent.id <= high)
    return int(await db.scalar(found) or 0)


async def roll_up(
    db_or_sessions: SessionFactory | AsyncEngine | AsyncSession, *, chunk: int = CHUNK
) -> Rollup:
    """Fold every committed event not yet rolled up into `engagement_daily`; safe to run at any
    time, twice at once, or again (then it adds nothing). Returns how many events it folded and
    how long it took (`seconds_per_million` for the benchmark).

    `db_or_sessions`: an async_sessionmaker, an AsyncEngine, or a session whose engine is used;
    each chunk of `chunk` event ids is its own transaction."""
    sessions = session_factory(db_or_sessions)
    started = time.perf_counter()
    async with sessions() as db, db.begin():
        upper = await _committed_upper(db)
    folded = 0
    while True:
        async with sessions() as db, db.begin():
            low = await _claim(db)
            high = min(upper, low + chunk)
            if high <= low:
                break
            folded += await _fold(db, low, high)
    return Rollup(events=folded, seconds=time.perf_counter() - started)


async def run_forever(sessions: SessionFactory, every_s: float) -> None:
    """The app's loop: roll up every `every_s` seconds; a failed run is logged and retried next time."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await roll_up(sessions)
        except Exception as error:
            log.error("engagement rollup failed, the next run will try again: %s", describe(error))
