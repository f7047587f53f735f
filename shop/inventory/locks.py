"""Row locks, one helper per model, always taken in ascending id order.

Two transactions that lock the same rows in the same order queue behind each other instead of
deadlocking. `UPDATE … SET x = x` is a row lock on PostgreSQL and takes the write lock on SQLite;
each helper then returns the rows as the DB has them now, not as the session cached them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import Variant
from shop.orders.models import Order


async def lock_variants(db: AsyncSession, variant_ids: Iterable[int]) -> dict[int, Variant]:
    ids = sorted(set(variant_ids))
    for variant_id in ids:
        await db.execute(
            update(Variant).where(Variant.id == variant_id).values(stock_on_hand=Variant.stock_on_hand)
        )
    fresh = select(Variant).where(Variant.id.in_(ids)).execution_options(populate_existing=True)
    return {v.id: v for v in (await db.scalars(fresh)).unique()}


async def lock_orders(db: AsyncSession, order_ids: Iterable[int]) -> dict[int, Order]:
    ids = sorted(set(order_ids))
    for order_id in ids:
        await db.execute(update(Order).where(Order.id == order_id).values(status=Order.status))
    fresh = select(Order).where(Order.id.in_(ids)).execution_options(populate_existing=True)
    return {o.id: o for o in (await db.scalars(fresh)).unique()}


async def lock_order(db: AsyncSession, order_id: int) -> Order | None:
    return (await lock_orders(db, [order_id])).get(order_id)
