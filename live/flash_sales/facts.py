"""What an admitted hold needs of its sale, read once per process: the sale's launch-time facts
never change, so the hot path does not read the sale and its variant for every hold. Whether the
selling shop is open is not a fact of the sale: it is cached per product for `SHOP_TTL_S` and
trusted only while the shops' standing generation (which every admitted hold reads with its hold
cap, caps.py; bumped by every suspension, shop/accounts/standing.py) is unchanged, so an
operator's suspension stops the room's sales at once."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale
from shop.accounts.models import Merchant, ShopStatus
from shop.catalog.models import Product, Variant
from shop.catalog.services import ShopUnavailable
from shop.core.errors import NotFound
from shop.core.i18n import N_
from shop.core.once import Once

MAX_SALES = 10_000
SHOP_TTL_S = 10.0  # bounds a bump lost while Redis was away or restarting empty


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
_reads: Once[tuple[int, int], SaleFacts] = Once()  # by (gate, sale)


async def sale_facts(db: AsyncSession, gate: object, sale_id: int) -> SaleFacts:
    known = _by_gate.setdefault(gate, {})
    facts = known.get(sale_id)
    if facts is None:  # the herd of a sale's first moment reads it once
        facts = await _reads((id(gate), sale_id), lambda: _read_facts(db, sale_id))
        if len(known) >= MAX_SALES:
            known.clear()
        known[sale_id] = facts
    return facts


async def _read_facts(db: AsyncSession, sale_id: int) -> SaleFacts:
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
    return SaleFacts(sale_id, *row)


@dataclass(frozen=True, slots=True)
class _Standing:
    refusal: str | None  # the 422's message when the shop is suspended
    generation: int
    fresh_until: float  # time.monotonic()


_shops: weakref.WeakKeyDictionary[object, dict[int, _Standing]] = weakref.WeakKeyDictionary()
_standings: Once[tuple[int, int, int], _Standing] = Once()  # by (gate, product, generation)


async def ensure_shop_open(db: AsyncSession, facts: SaleFacts, gate: object, generation: int) -> None:
    """ensure_buyable's rule: a suspended shop sells nothing (422 naming it). Read (one small
    SELECT) when not cached under this standing generation."""
    known = _shops.setdefault(gate, {})
    seen = known.get(facts.product_id)
    if seen is None or seen.generation != generation or seen.fresh_until <= time.monotonic():
        seen = await _standings(
            (id(gate), facts.product_id, generation), lambda: _read_standing(db, facts, generation)
        )
        if len(known) >= MAX_SALES:
            known.clear()
        known[facts.product_id] = seen
    if seen.refusal is not None:
        raise ShopUnavailable(seen.refusal, fields={"sale_id": seen.refusal})


async def _read_standing(db: AsyncSession, facts: SaleFacts, generation: int) -> _Standing:
    row = (
        await db.execute(
            select(Merchant.status, Product.name)
            .join(Product, Product.merchant_id == Merchant.id)
            .where(Product.id == facts.product_id)
        )
    ).one()
    suspended = row.status == ShopStatus.SUSPENDED.value
    refusal = N_("%(name)s cannot be bought: its shop is unavailable.", name=row.name) if suspended else None
    return _Standing(refusal, generation, time.monotonic() + SHOP_TTL_S)
