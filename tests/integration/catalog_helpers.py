"""Builders and readers shared by the dashboard catalog and stock-import tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import StockMovement, Variant
from tests.helpers import Client, add_address


def product_form(
    name: str, rows: list[dict[str, Any]], images: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """The fields the dashboard's product form posts.

    Each row may have sku, name, price, options, threshold, id and remove."""
    body: dict[str, Any] = {"name": name, "description": extra.pop("description", ""), "category": "beauty"}
    if images:
        body["image"] = images
    for n, row in enumerate(rows):
        body[f"v{n}.currency"] = row.get("currency", "USD")
        body[f"v{n}.threshold"] = str(row.get("threshold", 0))
        for key in ("id", "sku", "name", "options", "price", "remove"):
            if key in row:
                body[f"v{n}.{key}"] = str(row[key])
    return {**body, **extra}


async def level(db: AsyncSession, variant_id: int) -> int:
    stmt = (
        select(Variant.stock_on_hand)
        .where(Variant.id == variant_id)
        .execution_options(populate_existing=True)
    )
    return int(await db.scalar(stmt) or 0)


async def ledger(db: AsyncSession, variant_id: int) -> list[tuple[int, int, str, str | None]]:
    """(delta, balance_after, reason, note) of every movement of the variant, oldest first."""
    stmt = select(StockMovement).where(StockMovement.variant_id == variant_id).order_by(StockMovement.id)
    rows = (await db.scalars(stmt.execution_options(populate_existing=True))).all()
    return [(m.delta, m.balance_after, m.reason, m.note) for m in rows]


async def balanced(db: AsyncSession, variant_id: int) -> bool:
    """The ledger explains the level: Σ deltas = the last balance = stock_on_hand."""
    total = await db.scalar(
        select(func.sum(StockMovement.delta)).where(StockMovement.variant_id == variant_id)
    )
    moves = await ledger(db, variant_id)
    on_hand = await level(db, variant_id)
    return int(total or 0) == on_hand == (moves[-1][1] if moves else 0)


async def hold(shopper: Client, variant_id: int, quantity: int) -> int:
    """The shopper checks out (unpaid): `quantity` units are held for 10 minutes. Returns the order id."""
    await add_address(shopper)
    added = await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": quantity})
    assert added.status_code == 201, added.text
    checkout = await shopper.post("/api/v1/checkout")
    assert checkout.status_code == 201, checkout.text
    return int(checkout.json()["order_id"])
