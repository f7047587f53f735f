"""The flash-sale sweeper: expire holds whose time ran out and close sales that have ended.

Units go back to the pool once each, and viewers hear about it: returned units through the stock
ticker, a closed sale as a sequenced `flash_sale` event (state `ended`), published after the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import services as streams
from live.flash_sales import gate as g
from live.flash_sales import services
from live.flash_sales.models import FlashSale, FlashSaleHold, HoldState
from live.flash_sales.ticker import StockTicker
from shop.catalog.models import StockMovement, Variant
from shop.core.errors import AppError

Publish = Callable[[dict[str, Any], str], None]


async def expire_holds(
    sessions: async_sessionmaker[AsyncSession],
    gate: g.Gate,
    ticker: StockTicker | None,
    publish: Publish | None = None,
) -> int:
    async with sessions() as db:
        async with db.begin():
            returned = await services.expire(db, gate)
            ended = [await _ended_event(db, sale_id) for sale_id in await close_ended(db, gate)]
            for sale_id in returned:
                sale = await db.get(FlashSale, sale_id)
                remaining = await gate.remaining(sale_id)
                if ticker is not None and sale is not None and remaining is not None:
                    ticker.update(sale_id, remaining, streams.channel_name(sale.stream_id))
        for channel, event in ended:
            if publish is not None:
                publish(event, channel)
    return sum(returned.values())


async def _ended_event(db: AsyncSession, sale_id: int) -> tuple[str, dict[str, Any]]:
    sale = await db.get(FlashSale, sale_id)
    assert sale is not None
    stream = await streams.get_stream(db, sale.stream_id)
    view = await services.sale_view(db, None, sale)
    event = await streams.next_event(db, stream, "flash_sale", {"state": "ended", "flash_sale": view})
    return streams.channel_name(stream.id), event


async def close_ended(db: AsyncSession, gate: g.Gate) -> list[int]:
    """Give the unsold allocation of ended sales back to the variant's stock, once per sale.

    A sale closes only after its end and once no hold is still live, so a buyer mid-payment keeps
    their unit. `closed_at` is claimed with a conditional update, so two sweepers cannot return twice.
    """
    at = services.now()
    live_hold = select(FlashSaleHold.id).where(
        FlashSaleHold.sale_id == FlashSale.id,
        FlashSaleHold.state == HoldState.HELD,
        FlashSaleHold.expires_at > at,
    )
    due = (
        await db.scalars(
            select(FlashSale).where(
                FlashSale.ends_at <= at, FlashSale.closed_at.is_(None), ~live_hold.exists()
            )
        )
    ).all()
    closed: list[int] = []
    for sale in due:
        claimed = await db.execute(
            update(FlashSale)
            .where(FlashSale.id == sale.id, FlashSale.closed_at.is_(None))
            .values(closed_at=at)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        await db.execute(
            update(FlashSaleHold)
            .where(FlashSaleHold.sale_id == sale.id, FlashSaleHold.state == HoldState.HELD)
            .values(state=HoldState.EXPIRED)
        )
        sold = int(
            await db.scalar(
                select(func.coalesce(func.sum(FlashSaleHold.quantity), 0)).where(
                    FlashSaleHold.sale_id == sale.id, FlashSaleHold.state == HoldState.SOLD
                )
            )
            or 0
        )
        unsold = sale.quantity - sold
        if unsold > 0:
            await db.execute(
                update(Variant)
                .where(Variant.id == sale.variant_id)
                .values(stock_on_hand=Variant.stock_on_hand + unsold)
            )
            variant = await db.get(Variant, sale.variant_id, populate_existing=True)
            assert variant is not None
            db.add(
                StockMovement(
                    variant_id=variant.id,
                    delta=unsold,
                    balance_after=variant.stock_on_hand,
                    reason="flash_sale_return",
                )
            )
        await gate.forget(sale.id)
        closed.append(sale.id)
    await db.flush()
    return closed


async def run_forever(
    sessions: async_sessionmaker[AsyncSession],
    gate: g.Gate,
    ticker: StockTicker,
    publish: Publish,
    every_s: float,
) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await expire_holds(sessions, gate, ticker, publish)
        except AppError as error:
            logging.getLogger("zhongcao.live").warning("flash-sale sweeper: %s", error.message)
