"""The stock ledger as a shop reads it: filtered, paged, totalled, and streamed for the CSV.

The page, `GET /api/v1/products/{id}/stock-movements` and `/dashboard/exports/stock-movements.csv`
share `conditions()`, so the export's rows and totals are the page's for the same filters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.catalog.models import Product, StockMovement, StockReason, Variant
from shop.core.errors import NotFound
from shop.core.pagination import cursor_id, encode_cursor
from shop.inventory.schemas import MovementFilterIn

Ts = TypeVarTuple("Ts")
CSV_HEADER = (
    "movement_id",
    "created_at",
    "product_id",
    "product",
    "sku",
    "variant",
    "delta",
    "balance_after",
    "reason",
    "note",
    "by",
)


@dataclass(frozen=True, slots=True)
class MovementRow:
    movement: StockMovement
    product_id: int
    product_name: str
    sku: str
    variant_name: str
    actor: str

    @property
    def reason_label(self) -> str:
        return _reason_label(self.movement.reason)

    def csv_cells(self) -> tuple[object, ...]:
        m = self.movement
        when = m.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return (m.id, when, self.product_id, self.product_name, self.sku, self.variant_name, m.delta,
                m.balance_after, m.reason, m.note or "", self.actor)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Totals:
    count: int
    added: int
    removed: int  # a positive number of units taken away

    @property
    def net(self) -> int:
        return self.added - self.removed


def _reason_label(reason: str) -> str:
    try:
        return StockReason(reason).label
    except ValueError:
        return reason


async def check_scope(db: AsyncSession, shop: Merchant, filters: MovementFilterIn) -> None:
    """Another shop's product or variant is a 404, as if it did not exist."""
    if filters.product_id is not None:
        product = await db.get(Product, filters.product_id)
        if product is None or product.merchant_id != shop.id:
            raise NotFound("No such product.")
    if filters.variant_id is not None:
        variant = await db.get(Variant, filters.variant_id)
        owner_ok = variant is not None and variant.product.merchant_id == shop.id
        if not owner_ok or (filters.product_id and variant and variant.product_id != filters.product_id):
            raise NotFound("No such variant.", fields={"variant_id": "No such variant."})


def conditions(shop: Merchant, filters: MovementFilterIn) -> list[ColumnElement[bool]]:
    where = [Product.merchant_id == shop.id]
    if filters.product_id is not None:
        where.append(Variant.product_id == filters.product_id)
    if filters.variant_id is not None:
        where.append(StockMovement.variant_id == filters.variant_id)
    if filters.reason is not None:
        where.append(StockMovement.reason == filters.reason.value)
    if filters.since is not None:
        where.append(StockMovement.created_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, UTC)
        where.append(StockMovement.created_at < end)
    return where


def _joined(stmt: Select[*Ts]) -> Select[*Ts]:
    return stmt.join(Variant, Variant.id == StockMovement.variant_id).join(
        Product, Product.id == Variant.product_id
    )


def _rows_stmt(shop: Merchant, filters: MovementFilterIn) -> Select[StockMovement, int, str, str, str, str]:
    stmt = select(
        StockMovement, Product.id, Product.name, Variant.sku, Variant.name, User.display_name
    ).outerjoin(User, User.id == StockMovement.actor_id)
    return _joined(stmt).where(*conditions(shop, filters))


def _row(found: Any) -> MovementRow:
    movement, product_id, product_name, sku, variant_name, actor_name = found
    # A sale's actor is the buyer: the ledger says "Checkout" rather than name a shopper.
    actor = "Checkout" if movement.reason == StockReason.SALE.value else actor_name or "System"
    return MovementRow(movement, product_id, product_name, sku, variant_name, actor)


async def page(
    db: AsyncSession, shop: Merchant, filters: MovementFilterIn, *, cursor: str | None, limit: int
) -> tuple[Sequence[MovementRow], str | None]:
    """Newest first, keyset on the movement id: never skips or repeats while rows are added."""
    stmt = _rows_stmt(shop, filters)
    if (after := cursor_id(cursor)) is not None:
        stmt = stmt.where(StockMovement.id < after)
    found = (await db.execute(stmt.order_by(StockMovement.id.desc()).limit(limit + 1))).all()
    rows = [_row(f) for f in found[:limit]]
    next_cursor = encode_cursor({"id": rows[-1].movement.id}) if len(found) > limit else None
    return rows, next_cursor


async def totals(db: AsyncSession, shop: Merchant, filters: MovementFilterIn) -> Totals:
    added = func.coalesce(func.sum(case((StockMovement.delta > 0, StockMovement.delta), else_=0)), 0)
    removed = func.coalesce(func.sum(case((StockMovement.delta < 0, -StockMovement.delta), else_=0)), 0)
    stmt = _joined(select(func.count(StockMovement.id), added, removed)).where(*conditions(shop, filters))
    count, plus, minus = (await db.execute(stmt)).one()
    return Totals(int(count), int(plus), int(minus))


async def chunks(
    db: AsyncSession, shop: Merchant, filters: MovementFilterIn, *, size: int = 500
) -> AsyncIterator[list[MovementRow]]:
    """Oldest first, `size` rows per query, up to the newest movement when the export began
    (the ledger only grows, so the file is one consistent cut even while stock moves)."""
    upto = await db.scalar(_joined(select(func.max(StockMovement.id))).where(*conditions(shop, filters)))
    last = 0
    while upto is not None and last < upto:
        stmt = _rows_stmt(shop, filters).where(StockMovement.id > last, StockMovement.id <= upto)
        found = (await db.execute(stmt.order_by(StockMovement.id).limit(size))).all()
        if not found:
            return
        rows = [_row(f) for f in found]
        last = rows[-1].movement.id
        yield rows
