"""Expire flash-sale holds whose time ran out: the units go back to the pool, once each."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import services as streams
from live.flash_sales import services
from live.flash_sales.gate import Gate
from live.flash_sales.models import FlashSale
from live.flash_sales.ticker import StockTicker


async def expire_holds(
    sessions: async_sessionmaker[AsyncSession], gate: Gate, ticker: StockTicker | None
) -> int:
    async with sessions() as db, db.begin():
        returned = await services.expire(db, gate)
        await services.close_ended(db, gate)
        for sale_id in returned:
            sale = await db.get(FlashSale, sale_id)
            remaining = await gate.remaining(sale_id)
            if ticker is not None and sale is not None and remaining is not None:
                ticker.update(sale_id, remaining, streams.channel_name(sale.stream_id))
    return sum(returned.values())


async def run_forever(
    sessions: async_sessionmaker[AsyncSession], gate: Gate, ticker: StockTicker, every_s: float
) -> None:
    import asyncio
    import logging

    from shop.core.errors import AppError

    while True:
        await asyncio.sleep(every_s)
        try:
            await expire_holds(sessions, gate, ticker)
        except AppError as error:
            logging.getLogger("zhongcao.live").warning("flash-sale sweeper: %s", error.message)
