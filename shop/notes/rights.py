"""Which products an author may tag on a note: one rule, used by the studio's picker and by saving.

Today: the author's own shop's products (even unlisted ones, a merchant may tease a launch) and any
active product of another shop. Selling rights (issue 10) narrow the second half to products open for
collaboration and those in an active deal with the author; only this function changes then.
A suspended shop's products are taggable by no one, its owner included.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from shop.accounts.models import Merchant, User, in_open_shop
from shop.catalog.models import Product


def taggable_products_filter(user: User) -> ColumnElement[bool]:
    """A WHERE condition on `Product`: true for the products `user` may tag."""
    own_shop = select(Merchant.id).where(Merchant.owner_id == user.id).scalar_subquery()
    taggable = or_(Product.merchant_id == own_shop, Product.is_active.is_(True))
    return and_(taggable, in_open_shop(Product.merchant_id))
