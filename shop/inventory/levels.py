"""Stock as a merchant reads it: available = on hand - live checkout holds, and its state.

    available ≤ 0                      → out   ("Out of stock")
    0 < available ≤ low_stock_threshold → low   ("Low stock"; a threshold of 0 is never low)
    otherwise                          → ok

"Needs restock" (the dashboard's `stock=low` filter and the home page's action) is `available ≤
threshold`, which includes out of stock. The same rule exists as SQL (`needs_restock`, `out_of_stock`)
for filters, so the list and its badges never disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import Variant
from shop.core import clock
from shop.inventory.services import held_quantities
from shop.orders.models import ReservationState, StockReservation


class StockState(enum.StrEnum):
    OK = "ok"
    LOW = "low"
    OUT = "out"


def stock_state(available: int, threshold: int) -> StockState:
    if available <= 0:
        return StockState.OUT
    if available <= threshold:
        return StockState.LOW
    return StockState.OK


@dataclass(frozen=True, slots=True)
class VariantStock:
    on_hand: int
    held: int
    threshold: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.held)

    @property
    def state(self) -> StockState:
        return stock_state(self.available, self.threshold)


async def variant_stock(db: AsyncSession, variants: Iterable[Variant]) -> dict[int, VariantStock]:
    """Each variant's levels, with the live holds read in one query."""
    variants = list(variants)
    held = await held_quantities(db, [v.id for v in variants]) if variants else {}
    return {v.id: VariantStock(v.stock_on_hand, held.get(v.id, 0), v.low_stock_threshold) for v in variants}


def live_holds() -> Subquery:
    """Units held by unpaid checkouts per variant (the SQL twin of `held_quantities`)."""
    return (
        select(StockReservation.variant_id, func.sum(StockReservation.quantity).label("held"))
        .where(
            StockReservation.state == ReservationState.HELD.value,
            StockReservation.expires_at > clock.now(),
        )
        .group_by(StockReservation.variant_id)
        .subquery()
    )


def _variants_where(condition: ColumnElement[bool], holds: Subquery) -> Select[int]:
    return select(Variant.product_id).outerjoin(holds, holds.c.variant_id == Variant.id).where(condition)


def needs_restock() -> Select[int]:
    """Product ids with a variant at or under its low-stock threshold (out of stock included)."""
    holds = live_holds()
    available = Variant.stock_on_hand - func.coalesce(holds.c.held, 0)
    return _variants_where(available <= Variant.low_stock_threshold, holds)


def out_of_stock() -> Select[int]:
    """Product ids with a variant nobody can buy right now."""
    holds = live_holds()
    available = Variant.stock_on_hand - func.coalesce(holds.c.held, 0)
    return _variants_where(available <= 0, holds)
