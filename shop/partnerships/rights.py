"""Who may sell what: the one rule behind live shelves, flash sales and note tags.

A user may put a product on a shelf or a tag on a photo when it is
- their own shop's product, or
- open for collaboration (any creator may sell it, for the commission it offers).
(Products in an active deal with the creator join this list when deals land.)
A suspended shop's products are refused to everyone, its owner included.
Anything else is refused by name: a self-registered creator cannot sell a merchant's stock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User, in_open_shop
from shop.catalog.models import Product
from shop.partnerships.models import Collaboration, CollaborationStatus


async def not_sellable_by(db: AsyncSession, user: User, product_ids: Iterable[int]) -> list[int]:
    """The ids among `product_ids` that `user` may not sell (unknown and archived ones included)."""
    ids = sorted(set(product_ids))
    if not ids:
        return []
    rows = await db.execute(
        select(Product.id, Product.merchant_id, Product.is_active).where(
            Product.id.in_(ids), in_open_shop(Product.merchant_id)
        )
    )
    owner_of = {pid: merchant_id for pid, merchant_id, active in rows.all() if active}
    own_shop = user.merchant.id if user.merchant else None
    open_ids = set(
        (
            await db.scalars(
                select(Collaboration.product_id).where(
                    Collaboration.product_id.in_(ids), Collaboration.status == CollaborationStatus.OPEN
                )
            )
        ).all()
    )
    return [i for i in ids if i not in owner_of or (owner_of[i] != own_shop and i not in open_ids)]


def owns(user: User, product: Product) -> bool:
    return user.merchant is not None and product.merchant_id == user.merchant.id
