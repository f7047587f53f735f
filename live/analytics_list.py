"""The shop's streams for `/dashboard/live`: the ones it hosts and the creators' streams bound to
its deals, live now, upcoming and ended, each with its peak viewers, GMV and orders.

Six queries whatever the number of streams: the streams (one per section), then their peaks,
their sales and their hosts' names. Money follows `live.analytics`: the host shop counts every line sold
from its room, a brand only its own lines, in the shop's currency.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from live.models import Stream, StreamSample, StreamStatus
from shop.accounts.models import Merchant, User
from shop.deals.models import Deal
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES

SECTION_SIZE = 50
SECTIONS = (StreamStatus.LIVE, StreamStatus.SCHEDULED, StreamStatus.ENDED)


def shops_streams(shop: Merchant) -> ColumnElement[bool]:
    bound = select(Deal.id).where(Deal.merchant_id == shop.id)
    return or_(Stream.merchant_id == shop.id, Stream.deal_id.in_(bound))


async def _peaks(db: AsyncSession, ids: list[int]) -> dict[int, int]:
    stmt = (
        select(StreamSample.stream_id, func.max(StreamSample.viewers))
        .where(StreamSample.stream_id.in_(ids))
        .group_by(StreamSample.stream_id)
    )
    return {int(s): int(n or 0) for s, n in (await db.execute(stmt)).all()}


async def _sales(db: AsyncSession, shop: Merchant, ids: list[int]) -> dict[int, tuple[int, int]]:
    """{stream id: (GMV, orders)}: every line of the shop's own rooms, its own lines elsewhere."""
    gmv = func.sum(OrderLine.unit_amount * OrderLine.quantity - OrderLine.refunded_amount)
    stmt = (
        select(OrderLine.source_id, gmv, func.count(func.distinct(Order.id)))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Stream, Stream.id == OrderLine.source_id)
        .where(
            OrderLine.source_type == "stream",
            OrderLine.source_id.in_(ids),
            OrderLine.currency == shop.currency,
            Order.status.in_(PAID_STATES),
            or_(Stream.merchant_id == shop.id, OrderLine.merchant_id == shop.id),
        )
        .group_by(OrderLine.source_id)
    )
    return {int(s or 0): (int(g or 0), int(n)) for s, g, n in (await db.execute(stmt)).all()}


async def _names(db: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(user_ids))
    return dict((await db.execute(stmt)).all())


async def streams(db: AsyncSession, shop: Merchant) -> dict[str, list[dict[str, Any]]]:
    """{"live": [...], "scheduled": [...], "ended": [...]}, newest first in each."""
    found: dict[str, list[Stream]] = {}
    for status in SECTIONS:
        stmt = (
            select(Stream)
            .options(lazyload(Stream.deal))  # the list never shows the deal: no query for it
            .where(shops_streams(shop), Stream.status == status)
            .order_by(Stream.id.desc())
            .limit(SECTION_SIZE)
        )
        found[status.value] = list((await db.scalars(stmt)).all())
    every = [s for section in found.values() for s in section]
    ids = [s.id for s in every]
    peaks = await _peaks(db, ids) if ids else {}
    sales = await _sales(db, shop, ids) if ids else {}
    names = await _names(db, {s.host_id for s in every})
    return {
        status: [
            {
                "stream": s,
                "host": names.get(s.host_id, ""),
                "own": s.merchant_id == shop.id,
                "peak_viewers": peaks.get(s.id, 0),
                "gmv": sales.get(s.id, (0, 0))[0],
                "orders": sales.get(s.id, (0, 0))[1],
            }
            for s in section
        ]
        for status, section in found.items()
    }
