"""A merchant's stock adjustment: a signed change or a new count, with a reason and a note.

It goes through `set_stock_level` (row lock, then the live-holds check, then `move_stock`), so an
adjustment is one movement in the ledger and can never leave fewer units than checkouts hold.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.models import Product, StockMovement, StockReason, Variant
from shop.catalog.services import get_own_product
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import N_, Text
from shop.inventory.locks import lock_variants
from shop.inventory.schemas import StockAdjustmentIn
from shop.inventory.services import set_stock_level


def own_variant(product: Product, variant_id: int) -> Variant:
    variant = next((v for v in product.variants if v.id == variant_id), None)
    if variant is None:
        raise NotFound("No such variant on this product.", fields={"variant_id": "No such variant."})
    return variant


async def adjust_stock(
    db: AsyncSession, shop: Merchant, actor_id: int, product_id: int, data: StockAdjustmentIn
) -> StockMovement:
    """Apply one adjustment to the shop's own variant; returns the movement it wrote."""
    product = await get_own_product(db, shop, product_id)
    variant = own_variant(product, data.variant_id)
    on_hand = (await lock_variants(db, [variant.id]))[variant.id].stock_on_hand
    field = "level" if data.level is not None else "delta"
    level = data.level if data.level is not None else on_hand + (data.delta or 0)
    if level == on_hand:
        message = N_("Stock is already %(n)s.", n=on_hand)
        raise InvalidInput(message, fields={field: message})
    if level < 0:
        message = N_("Only %(n)s on hand: you can take at most %(n)s.", n=on_hand)
        raise InvalidInput(message, fields={field: message})
    _check_direction(data.reason, level - on_hand)
    try:
        await set_stock_level(db, variant.id, level, data.reason, shop.owner_id, note=data.note)
    except InvalidInput as error:  # below what checkouts hold: name the field the merchant typed in
        raise InvalidInput(error.message, fields={field: error.message}) from None
    latest = select(StockMovement).where(StockMovement.variant_id == variant.id)
    return (await db.scalars(latest.order_by(StockMovement.id.desc()).limit(1))).one()


def _check_direction(reason: StockReason, delta: int) -> None:
    if reason.direction * delta < 0:
        message = (
            N_(
                "%(reason)s only adds stock; choose Correction or Stock count instead.",
                reason=Text.of(reason.label),
            )
            if reason.direction > 0
            else N_(
                "%(reason)s only takes away stock; choose Correction or Stock count instead.",
                reason=Text.of(reason.label),
            )
        )
        raise InvalidInput(message, fields={"reason": message})
