"""The shop's orders, filtered: status, dates, source, creator, shipped or not, order number or email.

One filter object serves the list page, its totals, and the CSV exports, so an export's totals are
the page's totals for the same filters. Dates are UTC calendar days, inclusive, on the order's
creation time (a range across a DST change means nothing different in UTC).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from shop.accounts.models import Merchant, User
from shop.core import clock
from shop.core.db import keyset_page
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.orders.models import FulfilmentLine, Order, OrderLine, OrderStatus

MAX_SPAN_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)
SOURCES = ("note", "stream", "direct")
ORDER_NUMBER = re.compile(r"^#?(\d{1,15})$")


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    since: date | None = None
    until: date | None = None
    source: str | None = None
    creator_id: int | None = None
    shipped: bool | None = None
    q: str | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> OrderFilters:
        """From query parameters (the page's and the exports' links); bad values are a 422 by field."""
        errors: dict[str, str] = {}
        status = params.get("status") or None
        if status and status not in {s.value for s in OrderStatus}:
            errors["status"] = N_("Not an order status.")
        source = params.get("source") or None
        if source and source not in SOURCES:
            errors["source"] = N_("Use note, stream or direct.")
        since, until = _day(params.get("since"), "since", errors), _day(params.get("until"), "until", errors)
        if since and until and since > until:
            errors["until"] = N_("The end is before the start.")
        elif since and until and (until - since).days > MAX_SPAN_DAYS:
            errors["since"] = N_("At most three years at a time.")
        creator = params.get("creator_id") or None
        if creator and (not creator.isdigit() or not 1 <= int(creator) <= 2**53):
            errors["creator_id"] = "A creator's id."
        shipped = {"yes": True, "no": False}.get(params.get("shipped") or "")
        if params.get("shipped") and shipped is None:
            errors["shipped"] = N_("Use yes or no.")
        if errors:
            raise InvalidInput("Some filters are not valid.", fields=errors)
        q = (params.get("q") or "").strip()[:120] or None
        return cls(status, since, until, source, int(creator) if creator else None, shipped, q)

    def query_string(self) -> str:
        pairs = {
            "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "source": self.source,
            "creator_id": str(self.creator_id) if self.creator_id else None,
            "shipped": None if self.shipped is None else ("yes" if self.shipped else "no"),
            "q": self.q,
        }
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in pairs.items() if v})


def _day(text: str | None, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = "A date like 2026-11-30."
        return None
    if not EARLIEST <= day <= clock.now().date() + timedelta(days=366):
        errors[name] = "A date between 2000 and next year."
        return None
    return day


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _picks(line: Any, shop: Merchant, filters: OrderFilters) -> ColumnElement[bool] | None:
    """A line of the shop's an order must have (`line`: OrderLine or an alias); None: any."""
    conditions: list[ColumnElement[bool]] = []
    if filters.source:
        conditions.append(line.source_type == filters.source)
    if filters.creator_id:
        conditions.append(line.creator_id == filters.creator_id)
    if filters.shipped is False:
        shipped = select(FulfilmentLine.order_line_id)
        conditions += [
            line.id.not_in(shipped),
            line.refunded_amount < line.unit_amount * line.quantity,
        ]
    if not conditions:
        return None
    return exists().where(line.order_id == Order.id, line.merchant_id == shop.id, *conditions)


def _order_conditions(filters: OrderFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(Order.status == filters.status)
    if filters.since:
        conditions.append(Order.created_at >= _midnight(filters.since))
    if filters.until:
        conditions.append(Order.created_at < _midnight(filters.until + timedelta(days=1)))
    if filters.shipped is True:
        conditions.append(Order.fulfilled_at.is_not(None))
    if filters.q and (number := ORDER_NUMBER.match(filters.q)):
        conditions.append(Order.id == int(number[1]))
    elif filters.q:
        buyer = select(User.id).where(func.lower(User.email).contains(filters.q.lower(), autoescape=True))
        conditions.append(Order.user_id.in_(buyer))
    return conditions


def orders_query(shop: Merchant, filters: OrderFilters) -> Select[Any]:
    picked = _picks(OrderLine, shop, filters)
    if picked is None:
        picked = exists().where(OrderLine.order_id == Order.id, OrderLine.merchant_id == shop.id)
    return select(Order).where(picked, *_order_conditions(filters))


async def page(
    db: AsyncSession, shop: Merchant, filters: OrderFilters, cursor: str | None, limit: int = 50
) -> tuple[Sequence[Order], str | None]:
    return await keyset_page(db, orders_query(shop, filters), Order.id, cursor=cursor, limit=limit)


async def totals(db: AsyncSession, shop: Merchant, filters: OrderFilters) -> dict[str, int]:
    """The filtered orders' count and the shop's lines' sums (what the exports add up to): one
    pass over the shop's lines joined to their orders (a line filter picks orders, not lines)."""
    stmt = (
        select(
            func.count(func.distinct(OrderLine.order_id)),
            func.coalesce(func.sum(OrderLine.unit_amount * OrderLine.quantity), 0),
            func.coalesce(func.sum(OrderLine.refunded_amount), 0),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.merchant_id == shop.id, *_order_conditions(filters))
    )
    if (picked := _picks(aliased(OrderLine), shop, filters)) is not None:
        stmt = stmt.where(picked)
    count, gross, refunded = (await db.execute(stmt)).one()
    return {
        "orders": int(count),
        "gross": int(gross),
        "refunded": int(refunded),
        "net": int(gross) - int(refunded),
    }


async def buyers(db: AsyncSession, orders: Sequence[Order]) -> dict[int, str]:
    ids = {o.user_id for o in orders}
    if not ids:
        return {}
    rows = await db.execute(select(User.id, User.email).where(User.id.in_(ids)))
    return dict(rows.all())
