"""Gate holds the ledger never heard of: a reservation whose Lua script ran in Redis but whose
DB commit never happened (a Redis timeout after the script ran, a crash, a lost connection).

The reservation endpoint releases the gate hold when its commit fails, but a process that dies
between the two cannot. Left alone, the unit would be lost to the sale until it ends. The sweeper
asks the gate for each live sale's holds and releases those older than `ORPHAN_AFTER` with no
ledger row; a younger one may still be on its way to the ledger.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live.flash_sales import gate as g
from live.flash_sales.models import FlashSale, FlashSaleHold
from shop.core import clock

ORPHAN_AFTER = timedelta(seconds=60)  # far beyond one request's gate-to-commit time
log = logging.getLogger("zhongcao.live")


async def release_orphans(sessions: async_sessionmaker[AsyncSession], gate: g.Gate) -> dict[int, int]:
    """{sale id: units given back} for the live sales' gate holds that have no ledger row."""
    now = clock.now()
    async with sessions() as db:
        live = (
            await db.scalars(select(FlashSale.id).where(FlashSale.starts_at <= now, FlashSale.ends_at > now))
        ).all()
    returned: dict[int, int] = {}
    for sale_id in live:
        try:
            units = await _release_sale_orphans(sessions, gate, sale_id)
        except Exception as error:  # one sale must not stop the sweep
            log.error("flash sale %s: orphan holds not checked: %s", sale_id, error)
            continue
        if units:
            returned[sale_id] = units
    return returned


async def _release_sale_orphans(
    sessions: async_sessionmaker[AsyncSession], gate: g.Gate, sale_id: int
) -> int:
    cutoff = (clock.now() - ORPHAN_AFTER).timestamp()
    old = [h for h in await gate.holds(sale_id) if 0 < h.taken_at <= cutoff]
    if not old:
        return 0
    async with sessions() as db:
        known = set(
            (
                await db.scalars(
                    select(FlashSaleHold.reservation_id).where(
                        FlashSaleHold.reservation_id.in_([h.reservation_id for h in old])
                    )
                )
            ).all()
        )
    units = 0
    for hold in old:
        if hold.reservation_id not in known and await gate.release(sale_id, hold.reservation_id):
            log.warning("flash sale %s: released orphan gate hold %s", sale_id, hold.reservation_id)
            units += hold.quantity
    return units
