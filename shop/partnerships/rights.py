"""Who may sell what: the one rule behind live shelves, flash sales and note tags.

A user may put a product on a shelf or a tag on a photo when it is
- their own shop's product, or
- open for collaboration (any creator may sell it, for the commission it offers), or
- in a running deal between the product's shop and that creator.
A suspended shop's products are refused to everyone, its owner included.
Anything else is refused by name: a self-registered creator cannot sell a merchant's stock.
A flash sale on another shop's product needs more: a deal with flash-sale terms (`shop.deals.rights`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User, in_open_shop
from shop.catalog.models import Product
from shop.deals.rights import in_deal_with
from shop.partnerships.models import Collaboration, CollaborationStatus


def open_for_collaboration(product_id: Any) -> ColumnElement[bool]:
    return product_id.in_(
        select(Collaboration.product_id).where(Collaboration.status == CollaborationStatus.OPEN)
    )


def sellable_filter(user: User, *, own_unlisted: bool = False) -> ColumnElement[bool]:
    """A WHERE condition on `Product`: true for the products `user` may shelve or tag.

    `own_unlisted`: the user's own shop's archived products count too (a note may tease a launch)."""
    own_shop = select(Merchant.id).where(Merchant.owner_id == user.id).scalar_subquery()
    own = Product.merchant_id == own_shop
    others = and_(
        Product.is_active.is_(True),
        or_(open_for_collaboration(Product.id), in_deal_with(user.id, Product.id)),
    )
    mine = own if own_unlisted else and_(own, Product.is_active.is_(True))
    return and_(or_(mine, others), in_open_shop(Product.merchant_id))


async def not_sellable_by(db: AsyncSession, user: User, product_ids: Iterable[int]) -> list[int]:
    """The ids among `product_ids` that `user` may not sell (unknown and archived ones included)."""
    ids = sorted(set(product_ids))
    if not ids:
        return []
    stmt = select(Product.id).where(Product.id.in_(ids), sellable_filter(user))
    allowed = set((await db.scalars(stmt)).all())
    return [i for i in ids if i not in allowed]


def owns(user: User, product: Product) -> bool:
    return user.merchant is not None and product.merchant_id == user.merchant.id
