"""The dashboard home's numbers, each a fixed number of aggregate queries whatever the shop's size.

Sales are the shop's own lines of orders paid in the window (in the shop's currency), read from the
hourly sales rollups (`models.SalesHour`), never from the order lines: `paid` is what the shopper
paid for them, `refunds` what Stripe has given back on them since, and GMV is paid - refunds. An
order counts once however many of the shop's lines it has; `buyers` are distinct shoppers.
Conversion is buyers / visitors, visitors coming from the engagement rollups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.analytics.funnel import shop_visitors
from shop.dashboard.models import SalesBuyer, SalesHour
from shop.dashboard.periods import Period, Window, windows
from shop.dashboard.sales import SOURCES


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


def sales_rows(shop: Merchant, since: Any, until: Any, *dimensions: str) -> ColumnElement[bool]:
    """The shop's rollup rows of these dimensions, in its currency, for hours in [since, until)."""
    return and_(
        SalesHour.merchant_id == shop.id,
        SalesHour.currency == shop.currency,
        SalesHour.dimension.in_(dimensions),
        SalesHour.hour >= since,
        SalesHour.hour < until,
    )


async def figures(db: AsyncSession, shop: Merchant, period: Period) -> tuple[Figures, Figures]:
    """(this period, the previous one), from the sales rollups: four queries. Buyers and visitors
    are counted over the windows' UTC days (distinct buyers; visitors summed per day)."""
    current, previous = windows(period)
    result = {"current": Figures(), "previous": Figures()}
    which = case((SalesHour.hour >= current.start, literal("current")), else_=literal("previous"))
    totals = (
        select(which, SalesHour.dimension, func.sum(SalesHour.paid), func.sum(SalesHour.refunded))
        .add_columns(func.sum(SalesHour.orders))
        .where(sales_rows(shop, previous.start, current.end, "shop", *SOURCES))
        .group_by(which, SalesHour.dimension)
    )
    for key, dimension, paid, refunded, orders in (await db.execute(totals)).all():
        row = result[key]
        if dimension == "shop":
            row.paid, row.refunds, row.orders = int(paid), int(refunded), int(orders)
        else:
            row.by_source[dimension] = int(paid) - int(refunded)
    buyers = await _buyers(db, shop, current, previous)
    for key, window in (("current", current), ("previous", previous)):
        result[key].buyers = buyers[key]
        result[key].visitors = await shop_visitors(db, shop.id, window.start.date(), _last_day(window))
    return result["current"], result["previous"]


def _last_day(window: Window) -> date:
    return (window.end - timedelta(microseconds=1)).date()


async def _buyers(db: AsyncSession, shop: Merchant, current: Window, previous: Window) -> dict[str, int]:
    """Distinct shoppers who paid the shop on each window's UTC days: one query."""
    day = SalesBuyer.day
    in_current = case((day >= current.start.date(), SalesBuyer.user_id))
    in_previous = case((day <= _last_day(previous), SalesBuyer.user_id))
    stmt = select(func.count(func.distinct(in_current)), func.count(func.distinct(in_previous))).where(
        SalesBuyer.merchant_id == shop.id,
        day >= previous.start.date(),
        day <= _last_day(current),
    )
    now, before = (await db.execute(stmt)).one()
    return {"current": int(now), "previous": int(before)}


async def gmv_by_day(db: AsyncSession, shop: Merchant, period: Period) -> dict[str, list[int]]:
    """{"labels": [...days], "note": [...], "stream": [...], "direct": [...]} for the chart: one
    query for the window's hours, added up by UTC day here."""
    current, _ = windows(period)
    stmt = (
        select(SalesHour.hour, SalesHour.dimension, func.sum(SalesHour.paid - SalesHour.refunded))
        .where(sales_rows(shop, current.start, current.end, *SOURCES))
        .group_by(SalesHour.hour, SalesHour.dimension)
    )
    days = current.days
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, Any] = {
        "labels": [d.isoformat() for d in days],
        **{s: [0] * len(days) for s in SOURCES},
    }
    for hour, source, gmv in (await db.execute(stmt)).all():
        position = index.get(hour.astimezone(UTC).date())
        if position is not None:
            series[source][position] += int(gmv or 0)
    return series


def change(now: float, before: float) -> float | None:
    """The % change against the previous period; None when there was nothing to compare with."""
    if not before:
        return None
    return round((now - before) * 100.0 / before, 1)
