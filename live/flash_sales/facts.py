"""What an admitted hold needs of its sale, read once per process: the sale's launch-time facts
never change, so the hot path does not read the sale and its variant for every hold. Whether the
selling shop is suspended is not a fact of the sale: it is read for every hold (one column), so an
operator's suspension stops the room's sales at once."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale
from shop.accounts.models import Merchant, ShopStatus
from shop.catalog.models import Product, Variant
from shop.catalog.services import ShopUnavailable
from shop.core.errors import NotFound

MAX_SALES = 10_000


@dataclass(frozen=True, slots=True)
class SaleFacts:
    id: int
    stream_id: int
    variant_id: int
    product_id: int
    per_customer_limit: int
    hold_seconds: int


# Per gate (one per app): ids restart in a fresh database, and a gate belongs to one database.
_by_gate: weakref.WeakKeyDictionary[object, dict[int, SaleFacts]] = weakref.WeakKeyDictionary()


async def sale_facts(db: AsyncSession, gate: object, sale_id: int) -> SaleFacts:
    known = _by_gate.setdefault(gate, {})
    facts = known.get(sale_id)
    if facts is None:
        row = (
            await db.execute(
                select(
                    FlashSale.stream_id,
                    FlashSale.variant_id,
                    Variant.product_id,
                    FlashSale.per_customer_limit,
                    FlashSale.hold_seconds,
                )
                .join(Variant, Variant.id == FlashSale.variant_id)
                .where(FlashSale.id == sale_id)
            )
        ).first()
        if row is None:
            raise NotFound("No such flash sale.")
        if len(known) >= MAX_SALES:
            known.clear()
        facts = known[sale_id] = SaleFacts(sale_id, *row)
    return facts


async def ensure_shop_open(db: AsyncSession, facts: SaleFacts) -> None:
    """ensure_buyable's rule in one small read: a suspended shop sells nothing (422 naming it)."""
    row = (
        await db.execute(
            select(Merchant.status, Product.name)
            .join(Product, Product.merchant_id == Merchant.id)
            .where(Product.id == facts.product_id)
        )
    ).one()
    if row.status == ShopStatus.SUSPENDED.value:
        message = f"{row.name} cannot be bought: its shop is unavailable."
        raise ShopUnavailable(message, fields={"sale_id": message})
