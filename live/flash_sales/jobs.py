"""The flash-sale sweeper: expire holds whose time ran out, give back gate holds that never
reached the ledger (orphans.py), and close sales that have ended.

Units go back to the pool once each, and viewers hear about it: returned units through the stock
ticker, a closed sale as a sequenced `flash_sale` event (state `ended`), published after the commit.
Each hold and each sale is its own transaction: one that fails is logged and written on its sale,
and the sweep goes on; `run_forever` never returns.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import services as streams
from live.flash_sales import gate as g
from live.flash_sales import services
from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from live.flash_sales.orphans import release_orphans
from live.flash_sales.ticker import StockTicker
from shop.catalog.models import StockReason
from shop.core.db import after_commit_task
from shop.core.retry import RetryPolicy, describe
from shop.inventory.services import move_stock

Publish = Callable[[dict[str, Any], str], None]
DEFAULT = RetryPolicy()
log = logging.getLogger("zhongcao.live")


async def expire_holds(
    sessions: async_sessionmaker[AsyncSession],
    gate: g.Gate,
    ticker: StockTicker | None,
    publish: Publish | None = None,
    policy: RetryPolicy = DEFAULT,
) -> int:
    """One sweep: expire due holds (each on its own), tell viewers, close ended sales (each on its own).

    A hold or sale that fails is logged and written on its sale (failures, last_error; a sale's
    close also backs off), and the sweep goes on with the next one. Returns the units given back.
    """
    async with sessions() as db:
        due = (
            await db.execute(
                select(FlashSaleHold.id, FlashSaleHold.sale_id).where(
                    FlashSaleHold.state == SaleHoldState.HELD, FlashSaleHold.expires_at <= services.now()
                )
            )
        ).all()
    returned: dict[int, int] = {}
    for hold_id, sale_id in due:
        try:
            units = await _expire_hold(sessions, gate, hold_id)
        except Exception as error:  # one hold must not stop the others
            await _record_on_sale(sessions, sale_id, f"expire hold {hold_id}: {describe(error)}", policy)
            continue
        if units:
            returned[sale_id] = returned.get(sale_id, 0) + units
    for sale_id, units in (await release_orphans(sessions, gate)).items():
        returned[sale_id] = returned.get(sale_id, 0) + units
    if ticker is not None:
        await _tick(sessions, gate, ticker, returned)
    await _close_due(sessions, gate, publish, policy)
    return sum(returned.values())


async def _expire_hold(sessions: async_sessionmaker[AsyncSession], gate: g.Gate, hold_id: int) -> int:
    """held → expired once (a conditional update), then, once that is committed, the gate forgets
    it (never before: a rolled-back expiry must not free a unit that can still be paid)."""
    async with sessions() as db:
        async with db.begin():
            changed = await db.execute(
                update(FlashSaleHold)
                .where(FlashSaleHold.id == hold_id, FlashSaleHold.state == SaleHoldState.HELD)
                .values(state=SaleHoldState.EXPIRED)
            )
            hold = await db.get(FlashSaleHold, hold_id)
            if not changed.rowcount or hold is None:  # type: ignore[attr-defined]
                return 0
        await gate.release(hold.sale_id, hold.reservation_id)
        return hold.quantity


async def _tick(
    sessions: async_sessionmaker[AsyncSession], gate: g.Gate, ticker: StockTicker, returned: dict[int, int]
) -> None:
    """Viewers' stock bars rise again; a failure here only delays the bar to the next change."""
    async with sessions() as db:
        for sale_id in returned:
            try:
                sale = await db.get(FlashSale, sale_id)
                remaining = await gate.remaining(sale_id)
            except Exception as error:
                log.warning("flash sale %s: stock not announced: %s", sale_id, describe(error))
                continue
            if sale is not None and remaining is not None:
                ticker.update(sale_id, remaining, streams.channel_name(sale.stream_id))


async def _close_due(
    sessions: async_sessionmaker[AsyncSession], gate: g.Gate, publish: Publish | None, policy: RetryPolicy
) -> None:
    async with sessions() as db:
        sale_ids = (await db.scalars(_closable(services.now()).with_only_columns(FlashSale.id))).all()
    for sale_id in sale_ids:
        try:
            async with sessions() as db:
                async with db.begin():
                    sale = await db.get(FlashSale, sale_id)
                    closed = sale is not None and await _close_sale(db, gate, sale)
                    ended = await _ended_event(db, sale_id) if closed else None
                if ended is not None and publish is not None:
                    publish(ended[1], ended[0])  # after the commit: a rolled-back close is never announced
        except Exception as error:  # one sale must not stop the others
            await _record_on_sale(sessions, sale_id, f"close: {describe(error)}", policy)


async def _record_on_sale(
    sessions: async_sessionmaker[AsyncSession], sale_id: int, error: str, policy: RetryPolicy
) -> None:
    log.warning("flash sale %s: %s", sale_id, error)
    async with sessions() as db, db.begin():
        sale = await db.get(FlashSale, sale_id)
        if sale is not None and sale.record_failure(error, policy, services.now()):
            log.error("flash sale %s: %s failed sweeps, needs an operator", sale_id, sale.failures)


async def _ended_event(db: AsyncSession, sale_id: int) -> tuple[str, dict[str, Any]]:
    sale = await db.get(FlashSale, sale_id)
    assert sale is not None
    stream = await streams.get_stream(db, sale.stream_id)
    view = await services.sale_view(db, None, sale)
    event = await streams.next_event(db, stream, "flash_sale", {"state": "ended", "flash_sale": view})
    return streams.channel_name(stream.id), event


def _closable(at: datetime) -> Select[FlashSale]:
    """Sales past their end, not closed, with no live hold, and not backing off after a failure."""
    live_hold = select(FlashSaleHold.id).where(
        FlashSaleHold.sale_id == FlashSale.id,
        FlashSaleHold.state == SaleHoldState.HELD,
        FlashSaleHold.expires_at > at,
    )
    return select(FlashSale).where(
        FlashSale.ends_at <= at, FlashSale.closed_at.is_(None), ~live_hold.exists(), FlashSale.due(at)
    )


async def close_ended(db: AsyncSession, gate: g.Gate) -> list[int]:
    """Give the unsold allocation of ended sales back to the variant's stock, once per sale."""
    due = (await db.scalars(_closable(services.now()))).all()
    return [sale.id for sale in due if await _close_sale(db, gate, sale)]


async def _close_sale(db: AsyncSession, gate: g.Gate, sale: FlashSale) -> bool:
    """A sale closes only after its end and once no hold is still live, so a buyer mid-payment keeps
    their unit. `closed_at` is claimed with a conditional update, so two sweepers cannot return twice.
    """
    claimed = await db.execute(
        update(FlashSale)
        .where(FlashSale.id == sale.id, FlashSale.closed_at.is_(None))
        .values(closed_at=services.now())
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    await db.execute(
        update(FlashSaleHold)
        .where(FlashSaleHold.sale_id == sale.id, FlashSaleHold.state == SaleHoldState.HELD)
        .values(state=SaleHoldState.EXPIRED)
    )
    sold = int(
        await db.scalar(
            select(func.coalesce(func.sum(FlashSaleHold.quantity), 0)).where(
                FlashSaleHold.sale_id == sale.id, FlashSaleHold.state == SaleHoldState.SOLD
            )
        )
        or 0
    )
    unsold = sale.quantity - sold
    if unsold > 0:
        await move_stock(db, sale.variant_id, unsold, StockReason.FLASH_SALE_RETURN, None)
    after_commit_task(db, functools.partial(gate.forget, sale.id))  # Redis hears once it is durable
    await db.flush()
    return True


async def run_forever(
    sessions: async_sessionmaker[AsyncSession],
    gate: g.Gate,
    ticker: StockTicker,
    publish: Publish,
    every_s: float,
    policy: RetryPolicy = DEFAULT,
) -> None:
    """Never returns, whatever a sweep meets (the DB or Redis down): it logs and sweeps again."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await expire_holds(sessions, gate, ticker, publish, policy)
        except Exception as error:
            log.error("flash-sale sweeper: sweep failed, next one will try again: %s", describe(error))
