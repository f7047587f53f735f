"""`move_stock`: the only code that changes `variants.stock_on_hand`, and it writes the ledger.

Every change is one conditional `UPDATE … SET stock_on_hand = stock_on_hand + :delta WHERE
stock_on_hand + :delta >= 0`, then a `stock_movements` row with the balance it produced, so the
ledger always explains the level and no read-then-write can lose a concurrent sale.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import StockMovement, StockReason, Variant
from shop.core import clock
from shop.core.errors import InvalidInput, OutOfStock
from shop.core.i18n import N_
from shop.inventory.locks import lock_variants
from shop.orders.models import ReservationState, StockReservation


async def move_stock(
    db: AsyncSession,
    variant_id: int,
    delta: int,
    reason: StockReason,
    actor_id: int | None,
    *,
    note: str | None = None,
) -> int:
    """Add `delta` (negative to take) and record it; returns the new level. Never goes below 0."""
    result = await db.execute(
        update(Variant)
        .where(Variant.id == variant_id, Variant.stock_on_hand + delta >= 0)
        .values(stock_on_hand=Variant.stock_on_hand + delta)
        .returning(Variant.stock_on_hand)
    )
    balance = result.scalar_one_or_none()
    if balance is None:
        raise OutOfStock("Not enough stock.", fields={"variant_id": str(variant_id)})
    db.add(
        StockMovement(
            variant_id=variant_id,
            delta=delta,
            balance_after=balance,
            reason=reason.value,
            actor_id=actor_id,
            note=note,
        )
    )
    await db.flush()
    return int(balance)


async def set_stock_level(
    db: AsyncSession,
    variant_id: int,
    level: int,
    reason: StockReason,
    actor_id: int | None,
    *,
    note: str | None = None,
) -> int:
    """A merchant's count: lock the row, refuse a level below what checkouts hold, move the rest."""
    variant = (await lock_variants(db, [variant_id]))[variant_id]
    held = (await held_quantities(db, [variant_id])).get(variant_id, 0)
    if level < held:
        raise InvalidInput(
            N_("%(n)s units are held by shoppers paying right now; the level cannot go below that.", n=held),
            fields={"stock_on_hand": N_("At least %(n)s.", n=held)},
        )
    delta = level - variant.stock_on_hand
    if delta == 0 and reason != StockReason.INITIAL:
        return level
    return await move_stock(db, variant_id, delta, reason, actor_id, note=note)


async def held_quantities(
    db: AsyncSession, variant_ids: Iterable[int], *, exclude_order: int | None = None
) -> dict[int, int]:
    """Units held by unpaid checkouts, per variant (expired holds stop counting at once)."""
    stmt = (
        select(StockReservation.variant_id, func.sum(StockReservation.quantity))
        .where(
            StockReservation.variant_id.in_(list(variant_ids)),
            StockReservation.state == ReservationState.HELD.value,
            StockReservation.expires_at > clock.now(),
        )
        .group_by(StockReservation.variant_id)
    )
    if exclude_order is not None:
        stmt = stmt.where(StockReservation.order_id != exclude_order)
    return {variant_id: int(total) for variant_id, total in (await db.execute(stmt)).all()}
