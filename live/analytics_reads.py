"""The reads behind a stream's analytics (`live.analytics`): one query each, whatever the size.

Chat is counted per minute by the database; everything else comes back as the few columns the
arithmetic in `live.timeline` needs. A `Scope` narrows the money, taps and joins to one brand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, cast, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from live.models import Stream, StreamEvent, StreamSample, StreamStatus
from live.timeline import Sample, Sold, Visit
from shop.analytics.models import EngagementEvent, EventType
from shop.catalog.models import Product, Variant
from shop.core import clock
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES

LOG_TYPES = ("pin", "unpin", "stream_ended")
TAP_TYPES = (EventType.PRODUCT_VIEW.value, EventType.TAG_TAP.value)


@dataclass(frozen=True)
class Scope:
    """Whose numbers: `shop_id` set keeps a brand to its own; `currency` None means the currency
    most of the stream's lines are in (a creator host has no shop of its own)."""

    role: str
    shop_id: int | None
    currency: str | None


class SaleRow(NamedTuple):
    sale: FlashSale
    product_id: int
    name: str
    shop_id: int


def epoch_minute(column: Any, dialect: str) -> ColumnElement[Any]:
    """Whole minutes since 1970 of a timestamp column, on both databases (grouped by in SQL)."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", column) / 60), Integer)
    return cast(func.strftime("%s", column), Integer) / 60


async def samples(db: AsyncSession, stream_id: int) -> list[Sample]:
    stmt = (
        select(StreamSample.at, StreamSample.viewers, StreamSample.likes)
        .where(StreamSample.stream_id == stream_id)
        .order_by(StreamSample.at)
    )
    return [Sample(*row) for row in (await db.execute(stmt)).all()]


async def chat(db: AsyncSession, stream_id: int) -> dict[int, int]:
    minute = epoch_minute(StreamEvent.created_at, db.get_bind().dialect.name)
    stmt = (
        select(minute, func.count())
        .where(StreamEvent.stream_id == stream_id, StreamEvent.type == "chat")
        .group_by(minute)
    )
    return {int(m): int(n) for m, n in (await db.execute(stmt)).all()}


async def log(db: AsyncSession, stream_id: int) -> list[tuple[datetime, str, dict[str, Any]]]:
    stmt = (
        select(StreamEvent.created_at, StreamEvent.type, StreamEvent.payload)
        .where(StreamEvent.stream_id == stream_id, StreamEvent.type.in_(LOG_TYPES))
        .order_by(StreamEvent.seq)
    )
    return [(at, kind, dict(payload)) for at, kind, payload in (await db.execute(stmt)).all()]


async def sales(db: AsyncSession, stream_id: int) -> list[SaleRow]:
    stmt = (
        select(FlashSale, Product.id, Product.name, Product.merchant_id)
        .join(Variant, Variant.id == FlashSale.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(FlashSale.stream_id == stream_id)
        .order_by(FlashSale.starts_at, FlashSale.id)
    )
    return [SaleRow(*row) for row in (await db.execute(stmt)).all()]


async def sold_holds(db: AsyncSession, sale_ids: list[int]) -> list[tuple[int, int | None, int]]:
    """(sale id, order id, units) of every sold hold: the ledger's `sold`, and who paid it."""
    if not sale_ids:
        return []
    stmt = select(FlashSaleHold.sale_id, FlashSaleHold.order_id, FlashSaleHold.quantity).where(
        FlashSaleHold.sale_id.in_(sale_ids), FlashSaleHold.state == SaleHoldState.SOLD
    )
    return list((await db.execute(stmt)).all())


async def lines(db: AsyncSession, stream_id: int, scope: Scope) -> tuple[list[Sold], str]:
    """The stream's paid lines per order and variant, in one currency: (lines, that currency)."""
    gmv = func.sum(OrderLine.unit_amount * OrderLine.quantity - OrderLine.refunded_amount)
    keys = (Order.id, Order.paid_at, OrderLine.product_id, OrderLine.variant_id, OrderLine.currency)
    stmt = (
        select(*keys, func.sum(OrderLine.quantity), gmv)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.source_type == "stream",
            OrderLine.source_id == stream_id,
            Order.status.in_(PAID_STATES),
            Order.paid_at.is_not(None),
        )
        .group_by(*keys)
    )
    if scope.shop_id is not None:
        stmt = stmt.where(OrderLine.merchant_id == scope.shop_id)
    rows = (await db.execute(stmt)).all()
    currency = scope.currency or next(iter(Counter(r[4] for r in rows).most_common(1)), ("USD", 0))[0]
    return [
        Sold(o, at, p, v, int(n), int(g or 0))
        for o, at, p, v, cur, n, g in rows
        if cur == currency and at is not None
    ], currency


async def visits(db: AsyncSession, stream_id: int, scope: Scope) -> tuple[list[Visit], list[Visit]]:
    """(joins, taps) in the room. A join credits several shops (a row each): one visit, counted once."""
    stmt = (
        select(
            EngagementEvent.type,
            EngagementEvent.occurred_at,
            EngagementEvent.product_id,
            EngagementEvent.visitor,
        )
        .where(
            EngagementEvent.stream_id == stream_id,
            EngagementEvent.type.in_((EventType.ROOM_JOIN.value, *TAP_TYPES)),
        )
        .distinct()
    )
    if scope.shop_id is not None:
        stmt = stmt.where(EngagementEvent.merchant_id == scope.shop_id)
    rows = (await db.execute(stmt)).all()
    joins = [Visit(at, None) for kind, at, _, _ in rows if kind == EventType.ROOM_JOIN]
    taps = [Visit(at, product) for kind, at, product, _ in rows if kind != EventType.ROOM_JOIN]
    return joins, taps


async def shops_of(db: AsyncSession, product_ids: Sequence[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    stmt = select(Product.id, Product.merchant_id).where(Product.id.in_(set(product_ids)))
    return dict((await db.execute(stmt)).all())


def stream_end(stream: Stream) -> datetime | None:
    """Where the timeline stops: the end, or now while it runs; None before it started."""
    if stream.ended_at is not None:
        return stream.ended_at
    return clock.now() if stream.status == StreamStatus.LIVE else None


async def recent_samples(db: AsyncSession, stream_id: int, limit: int = 60) -> list[dict[str, Any]]:
    """The last `limit` samples, oldest first: where the console's viewer chart starts."""
    stmt = (
        select(StreamSample.at, StreamSample.viewers)
        .where(StreamSample.stream_id == stream_id)
        .order_by(StreamSample.at.desc())
        .limit(limit)
    )
    rows = (await db.execute(stmt)).all()
    return [{"label": at.strftime("%H:%M:%S"), "viewers": viewers} for at, viewers in reversed(rows)]
