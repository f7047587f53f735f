"""The stream sampler: every 10 s, each live room's viewers now and likes so far, as `stream_samples`.

Viewers and likes live only in `RoomCounters` (Redis, or this process's memory), which forget the
past; the samples are what the analytics page draws afterwards. One pass reads every live room's
totals, then writes them in one INSERT. Rows are keyed by (stream, 10-second slot) and a slot
already written is skipped, so every app process may run the loop and each slot is written once.

A room whose counters cannot be read loses that one sample, not the others'; a pass that fails as
a whole is logged and the next one runs as usual: `run_forever` never returns.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live.counters import RoomCounters
from live.models import Stream, StreamSample, StreamStatus
from shop.core import clock
from shop.core.retry import describe

EVERY_S = 10
log = logging.getLogger("zhongcao.live")


def slot(at: datetime, every_s: int = EVERY_S) -> datetime:
    """The start of the `every_s`-second slot holding `at` (UTC)."""
    seconds = int(at.timestamp()) // every_s * every_s
    return datetime.fromtimestamp(seconds, UTC)


async def _totals(counters: RoomCounters, stream_ids: list[int], at: datetime) -> list[dict[str, Any]]:
    rows = []
    for stream_id in stream_ids:
        try:
            totals = await counters.totals(stream_id, exact=True)
        except Exception as error:  # one room's counters must not cost the others their sample
            log.warning("stream %s: no sample at %s: %s", stream_id, at.isoformat(), describe(error))
            continue
        rows.append(
            {"stream_id": stream_id, "at": at, "viewers": totals["viewers"], "likes": totals["likes"]}
        )
    return rows


async def sample(sessions: async_sessionmaker[AsyncSession], counters: RoomCounters) -> int:
    """One pass: a row per live stream for the current slot. Returns how many rows it offered."""
    at = slot(clock.now())
    async with sessions() as db:
        stream_ids = list(await db.scalars(select(Stream.id).where(Stream.status == StreamStatus.LIVE)))
    rows = await _totals(counters, stream_ids, at)
    if rows:
        async with sessions() as db, db.begin():
            dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
            insert = dialect.insert(StreamSample).values(rows)
            await db.execute(insert.on_conflict_do_nothing(index_elements=["stream_id", "at"]))
    return len(rows)


async def run_forever(
    sessions: async_sessionmaker[AsyncSession], counters: RoomCounters, every_s: int = EVERY_S
) -> None:
    """Sample at each slot's start, whatever a pass meets (the DB or Redis down)."""
    while True:
        # Wake just past the slot's start: a wake-up a hair early would sample the slot just written.
        await asyncio.sleep(every_s - clock.now().timestamp() % every_s + 0.05)
        try:
            await sample(sessions, counters)
        except Exception as error:
            log.error("stream sampler: pass failed, the next one will try again: %s", describe(error))
