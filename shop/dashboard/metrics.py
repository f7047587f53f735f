"""The dashboard home's numbers, each a fixed number of aggregate queries whatever the shop's size.

Sales are the shop's own lines of orders paid in the window (in the shop's currency): `paid` is
what the shopper paid for them, `refunds` what has been given back on them since, and GMV is
paid - refunds. An order counts once however many of the shop's lines it has; `buyers` are distinct
shoppers. Conversion is buyers / visitors, visitors coming from the engagement rollups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.analytics.funnel import shop_visitors
from shop.dashboard.periods import Period, Window, windows
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES

SOURCES = ("note", "stream", "direct")


@dataclass
class Figures:
    paid: int = 0
    refunds: int = 0
    orders: int = 0
    buyers: int = 0
    visitors: int = 0
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))

    @property
    def gmv(self) -> int:
        return self.paid - self.refunds

    @property
    def aov(self) -> int:
        return self.gmv // self.orders if self.orders else 0

    @property
    def conversion(self) -> float:
        return round(self.buyers / self.visitors, 4) if self.visitors else 0.0


def line_total() -> ColumnElement[int]:
    return OrderLine.unit_amount * OrderLine.quantity


def shop_sales(shop: Merchant, since: Any, until: Any) -> ColumnElement[bool]:
    """The shop's lines, in its currency, of orders paid in [since, until)."""
    return and_(
        OrderLine.merchant_id == shop.id,
        OrderLine.currency == shop.currency,
        Order.status.in_(PAID_STATES),
        Order.paid_at >= since,
        Order.paid_at < until,
    )


def _which(current: Window) -> ColumnElement[str]:
    return case((Order.paid_at >= current.start, literal("current")), else_=literal("previous"))


async def figures(db: AsyncSession, shop: Merchant, period: Period) -> tuple[Figures, Figures]:
    """(this period, the previous one): four queries. Visitors are summed per UTC day from the
    engagement rollups (a visitor of two days counts on both)."""
    current, previous = windows(period)
    result = {"current": Figures(), "previous": Figures()}
    which = _which(current)
    totals = (
        select(
            which,
            func.coalesce(func.sum(line_total()), 0),
            func.coalesce(func.sum(OrderLine.refunded_amount), 0),
            func.count(func.distinct(Order.id)),
            func.count(func.distinct(Order.user_id)),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(shop_sales(shop, previous.start, current.end))
        .group_by(which)
    )
    for key, paid, refunded, orders, buyers in (await db.execute(totals)).all():
        row = result[key]
        row.paid, row.refunds, row.orders, row.buyers = int(paid), int(refunded), int(orders), int(buyers)
    by_source = (
        select(which, OrderLine.source_type, func.sum(line_total() - OrderLine.refunded_amount))
        .join(Order, Order.id == OrderLine.order_id)
        .where(shop_sales(shop, previous.start, current.end))
        .group_by(which, OrderLine.source_type)
    )
    for key, source, gmv in (await db.execute(by_source)).all():
        result[key].by_source[source] = int(gmv or 0)
    for key, window in (("current", current), ("previous", previous)):
        last = (window.end - timedelta(microseconds=1)).date()
        result[key].visitors = await shop_visitors(db, shop.id, window.start.date(), last)
    return result["current"], result["previous"]


def utc_day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, on both databases."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


async def gmv_by_day(db: AsyncSession, shop: Merchant, period: Period) -> dict[str, list[int]]:
    """{"labels": [...days], "note": [...], "stream": [...], "direct": [...]} for the chart: one query."""
    current, _ = windows(period)
    day = utc_day(Order.paid_at, db.get_bind().dialect.name)
    stmt = (
        select(day, OrderLine.source_type, func.sum(line_total() - OrderLine.refunded_amount))
        .join(Order, Order.id == OrderLine.order_id)
        .where(shop_sales(shop, current.start, current.end))
        .group_by(day, OrderLine.source_type)
    )
    days = current.days
    index = {d.isoformat(): i for i, d in enumerate(days)}
    series: dict[str, Any] = {
        "labels": [d.isoformat() for d in days],
        **{s: [0] * len(days) for s in SOURCES},
    }
    for when, source, gmv in (await db.execute(stmt)).all():
        key = when.isoformat() if isinstance(when, date) else str(when)[:10]
        if key in index and source in SOURCES:
            series[source][index[key]] = int(gmv or 0)
    return series


def change(now: float, before: float) -> float | None:
    """The % change against the previous period; None when there was nothing to compare with."""
    if not before:
        return None
    return round((now - before) * 100.0 / before, 1)
