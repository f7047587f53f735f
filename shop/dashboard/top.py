"""Which notes, streams and creators sell the shop's products: three grouped queries and their names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop import streams
from shop.accounts.models import Merchant, User
from shop.commissions.models import Commission, CommissionEntry
from shop.dashboard.metrics import sales_rows
from shop.dashboard.models import SalesHour
from shop.dashboard.periods import Period, windows
from shop.notes.models import Note
from shop.orders.models import Order

LIMIT = 10


async def _by_source(
    db: AsyncSession, shop: Merchant, period: Period, source: str
) -> list[tuple[int, int, int]]:
    """(id, GMV, orders) of the top notes or streams, from the sales rollups."""
    current, _ = windows(period)
    gmv = func.sum(SalesHour.paid - SalesHour.refunded)
    stmt = (
        select(SalesHour.source_id, gmv, func.sum(SalesHour.orders))
        .where(sales_rows(shop, current.start, current.end, source), SalesHour.source_id > 0)
        .group_by(SalesHour.source_id)
        .order_by(gmv.desc(), SalesHour.source_id)
        .limit(LIMIT)
    )
    return [(int(i), int(g or 0), int(n)) for i, g, n in (await db.execute(stmt)).all()]


async def top_notes(db: AsyncSession, shop: Merchant, period: Period) -> list[dict[str, Any]]:
    rows = await _by_source(db, shop, period, "note")
    titles = dict(
        (await db.execute(select(Note.id, Note.title).where(Note.id.in_([r[0] for r in rows])))).all()
    )
    return [
        {"id": i, "title": titles.get(i, f"Note #{i}"), "url": f"/notes/{i}", "gmv": g, "orders": n}
        for i, g, n in rows
    ]


async def top_streams(db: AsyncSession, shop: Merchant, period: Period) -> list[dict[str, Any]]:
    rows = await _by_source(db, shop, period, "stream")
    titles = await streams.live().titles(db, [r[0] for r in rows])
    return [
        {"id": i, "title": titles.get(i, f"Stream #{i}"), "url": f"/live/{i}", "gmv": g, "orders": n}
        for i, g, n in rows
    ]


async def top_creators(db: AsyncSession, shop: Merchant, period: Period) -> list[dict[str, Any]]:
    """Creators credited on the shop's lines: GMV, orders, and the commission their lines earned."""
    current, _ = windows(period)
    gmv = func.sum(SalesHour.paid - SalesHour.refunded)
    stmt = (
        select(SalesHour.creator_id, gmv, func.sum(SalesHour.orders), func.max(SalesHour.deal_id))
        .where(sales_rows(shop, current.start, current.end, "creator"))
        .group_by(SalesHour.creator_id)
        .order_by(gmv.desc(), SalesHour.creator_id)
        .limit(LIMIT)
    )
    rows = [(int(c or 0), int(g or 0), int(n), deal) for c, g, n, deal in (await db.execute(stmt)).all()]
    ids = [r[0] for r in rows]
    names = dict((await db.execute(select(User.id, User.display_name).where(User.id.in_(ids)))).all())
    earned = await _commissions(db, shop, current.start, current.end, ids)
    return [
        {
            "id": c,
            "name": names.get(c, f"Creator #{c}"),
            "url": f"/deals/{deal}" if deal else f"/users/{c}",
            "gmv": g,
            "orders": n,
            "commission": earned.get(c, 0),
        }
        for c, g, n, deal in rows
    ]


async def _commissions(
    db: AsyncSession, shop: Merchant, since: Any, until: Any, creators: list[int]
) -> dict[int, int]:
    if not creators:
        return {}
    stmt = (
        select(Commission.creator_id, func.sum(CommissionEntry.amount))
        .join(CommissionEntry, CommissionEntry.commission_id == Commission.id)
        .join(Order, Order.id == Commission.order_id)
        .where(
            Commission.merchant_id == shop.id,
            Commission.creator_id.in_(creators),
            Order.paid_at >= since,
            Order.paid_at < until,
        )
        .group_by(Commission.creator_id)
    )
    return {int(c): int(total or 0) for c, total in (await db.execute(stmt)).all()}
