"""Stock has one writer: move_stock. A merchant's count locks the row and respects live holds."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import StockMovement, StockReason, Variant
from shop.core.errors import OutOfStock
from shop.inventory.services import move_stock
from tests.helpers import ROOT, Client, add_address, make_product


async def _books(db: AsyncSession, variant_id: int) -> tuple[int, int, int]:
    """(level, last balance in the ledger, sum of the ledger's deltas): all three must agree."""
    level = await db.scalar(
        select(Variant.stock_on_hand)
        .where(Variant.id == variant_id)
        .execution_options(populate_existing=True)
    )
    rows = select(StockMovement).where(StockMovement.variant_id == variant_id)
    last = (await db.scalars(rows.order_by(StockMovement.id.desc()).limit(1))).first()
    total = await db.scalar(
        select(func.sum(StockMovement.delta)).where(StockMovement.variant_id == variant_id)
    )
    return int(level or 0), last.balance_after if last else 0, int(total or 0)


async def test_a_count_cannot_go_below_what_checkouts_hold(
    merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    product = await make_product(merchant, "Clay Mask", stock=5, sku="CLAY-1")
    variant = product["variants"][0]
    await add_address(shopper)
    await shopper.post("/api/v1/cart/lines", json={"variant_id": variant["id"], "quantity": 3})
    assert (await shopper.post("/api/v1/checkout")).status_code == 201  # 3 units held

    patch = {"variants": [{"id": variant["id"], "stock_on_hand": 2}]}
    low = await merchant.patch(f"/api/v1/products/{product['id']}", json=patch)
    assert low.status_code == 422
    assert "At least 3" in str(low.json()["fields"])
    assert await _books(db, variant["id"]) == (5, 5, 5)  # nothing half-written

    patch["variants"][0]["stock_on_hand"] = 3
    assert (await merchant.patch(f"/api/v1/products/{product['id']}", json=patch)).status_code == 200
    assert await _books(db, variant["id"]) == (3, 3, 3)


async def test_a_count_during_a_sale_loses_no_unit(
    merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    """The shopper pays while the merchant recounts: the ledger explains the final level either way."""
    product = await make_product(merchant, "Rose Toner", stock=10, sku="ROSE-1")
    variant = product["variants"][0]
    await add_address(shopper)
    await shopper.post("/api/v1/cart/lines", json={"variant_id": variant["id"], "quantity": 2})
    order_id = (await shopper.post("/api/v1/checkout")).json()["order_id"]

    patch = {"variants": [{"id": variant["id"], "stock_on_hand": 20}]}
    pay, edit = await asyncio.gather(
        shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"}),
        merchant.patch(f"/api/v1/products/{product['id']}", json=patch),
    )
    assert pay.json()["status"] == "paid", pay.text
    assert edit.status_code == 200, edit.text
    level, balance, total = await _books(db, variant["id"])
    assert level == balance == total
    assert level in (18, 20)  # sale then count (20), or count then sale (18): never a lost write
    reasons = (
        await db.scalars(
            select(StockMovement.reason)
            .where(StockMovement.variant_id == variant["id"])
            .order_by(StockMovement.id)
        )
    ).all()
    assert sorted(reasons) == ["adjustment", "initial", "sale"]


async def test_move_stock_never_goes_below_zero(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(merchant, "Lip Oil", stock=1, sku="LIP-1")
    variant_id = product["variants"][0]["id"]
    with pytest.raises(OutOfStock):
        await move_stock(db, variant_id, -2, StockReason.SALE, None)
    await db.rollback()
    assert await move_stock(db, variant_id, -1, StockReason.SALE, None) == 0
    await db.commit()
    assert await _books(db, variant_id) == (0, 0, 0)


def test_nothing_but_inventory_writes_stock_on_hand() -> None:
    """The rule, kept by a sweep of the source: no other module assigns or updates the level."""
    # An attribute write (`variant.stock_on_hand -= 1`) or an UPDATE that changes the level; a row
    # lock (`values(stock_on_hand=Variant.stock_on_hand)`) and a new row created at 0 are not writes.
    writes = re.compile(
        r"\.stock_on_hand\s*(=|\+=|-=)(?!=)"  # an attribute write
        r"|values\(stock_on_hand=(?!Variant\.stock_on_hand\))"  # an UPDATE that is not a lock
    )
    offenders = []
    for package in ("shop", "live", "payments"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(("shop/inventory/", "shop/migrations/")):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if writes.search(line) and "Mapped[" not in line:
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
