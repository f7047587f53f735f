"""CSV exports that stream: rows are read in keyset batches by a session of their own and written as
they come, so a large shop never has every row in memory. User text is neutralised for spreadsheets
(`shop.core.exports.safe_cell`). The rows are the list page's for the same filters."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import Merchant, User
from shop.commissions.models import Commission, CommissionEntry
from shop.core.exports import safe_cell
from shop.dashboard.orders import OrderFilters, orders_query
from shop.orders.models import Order, OrderLine
from shop.payouts.views import SETTLEMENT_COLUMNS, settlement_cells, settlements

BATCH = 1000
SessionFactory = async_sessionmaker[AsyncSession]

ORDER_COLUMNS = (
    "order_id",
    "created_at",
    "paid_at",
    "status",
    "buyer_email",
    "currency",
    "gross",
    "refunded",
    "net",
    "shipped",
)
LINE_COLUMNS = (
    "order_id",
    "order_line_id",
    "created_at",
    "product",
    "variant",
    "quantity",
    "unit_price",
    "gross",
    "refunded",
    "currency",
    "source_type",
    "source_id",
    "creator_id",
    "deal_id",
    "collaboration_id",
    "commission_bps",
    "commission",
)
Batch = tuple[AsyncSession, list[Order]]


def _row(values: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(v) for v in values])
    return out.getvalue()


async def _batches(sessions: SessionFactory, shop: Merchant, filters: OrderFilters) -> AsyncIterator[Batch]:
    after = None
    async with sessions() as db:
        while True:
            stmt = orders_query(shop, filters).order_by(Order.id.desc()).limit(BATCH)
            if after is not None:
                stmt = stmt.where(Order.id < after)
            orders = list((await db.scalars(stmt)).unique().all())
            if not orders:
                return
            yield db, orders
            after = orders[-1].id
            db.expunge_all()  # keep memory flat: this batch's rows are written already


async def _emails(db: AsyncSession, orders: list[Order]) -> dict[int, str]:
    rows = await db.execute(select(User.id, User.email).where(User.id.in_({o.user_id for o in orders})))
    return dict(rows.all())


def _order_row(order: Order, shop: Merchant, email: str) -> list[object]:
    mine = [ln for ln in order.lines if ln.merchant_id == shop.id]
    gross, refunded = sum(ln.total_amount for ln in mine), sum(ln.refunded_amount for ln in mine)
    paid_at = order.paid_at.isoformat() if order.paid_at else ""
    shipped = "yes" if order.fulfilled_at else "no"
    head = [order.id, order.created_at.isoformat(), paid_at, order.status, email, order.currency]
    return [*head, gross, refunded, gross - refunded, shipped]


async def orders_csv(sessions: SessionFactory, shop: Merchant, filters: OrderFilters) -> AsyncIterator[str]:
    yield _row(ORDER_COLUMNS)
    async for db, orders in _batches(sessions, shop, filters):
        emails = await _emails(db, orders)
        for order in orders:
            yield _row(_order_row(order, shop, emails.get(order.user_id, "")))


def _line_row(order: Order, ln: OrderLine, earned: int) -> list[object]:
    sold = [order.id, ln.id, order.created_at.isoformat(), ln.product_name, ln.variant_name, ln.quantity]
    money = [ln.unit_amount, ln.total_amount, ln.refunded_amount, ln.currency]
    credit = [
        ln.creator_id or "",
        ln.deal_id or "",
        ln.collaboration_id or "",
        ln.commission_bps or "",
        earned,
    ]
    return [*sold, *money, ln.source_type, ln.source_id or "", *credit, earned]


async def lines_csv(sessions: SessionFactory, shop: Merchant, filters: OrderFilters) -> AsyncIterator[str]:
    yield _row(LINE_COLUMNS)
    async for db, orders in _batches(sessions, shop, filters):
        mine = [(order, ln) for order in orders for ln in order.lines if ln.merchant_id == shop.id]
        earned = await _commissions(db, [ln.id for _, ln in mine])
        for order, ln in mine:
            yield _row(_line_row(order, ln, earned.get(ln.id, 0)))


async def _commissions(db: AsyncSession, line_ids: list[int]) -> dict[int, int]:
    if not line_ids:
        return {}
    stmt = (
        select(Commission.order_line_id, func.sum(CommissionEntry.amount))
        .join(CommissionEntry, CommissionEntry.commission_id == Commission.id)
        .where(Commission.order_line_id.in_(line_ids))
        .group_by(Commission.order_line_id)
    )
    return {int(i): int(a or 0) for i, a in (await db.execute(stmt)).all()}


EXPORTS: dict[str, Callable[[SessionFactory, Merchant, OrderFilters], AsyncIterator[str]]] = {
    "orders": orders_csv,
    "order-lines": lines_csv,
}


async def settlements_csv(sessions: SessionFactory, shop: Merchant, fee_bps: int) -> AsyncIterator[str]:
    """The settlements page's rows, all of them, a page of orders at a time."""
    yield _row(SETTLEMENT_COLUMNS)
    before = None
    async with sessions() as db:
        while rows := await settlements(db, shop, fee_bps, limit=BATCH, before=before):
            for row in rows:
                yield _row(settlement_cells(row))
            before = rows[-1]["order_id"]
            db.expunge_all()
