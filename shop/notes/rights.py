"""Which products an author may tag on a note: one rule, used by the studio's picker and by saving.

It is the selling rule (`shop.partnerships.rights`): the author's own shop's products (even unlisted
ones, a merchant may tease a launch), products open for collaboration, and products in a running
deal with the author. A suspended shop's products are taggable by no one, its owner included.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from shop.accounts.models import User
from shop.partnerships.rights import sellable_filter


def taggable_products_filter(user: User) -> ColumnElement[bool]:
    """A WHERE condition on `Product`: true for the products `user` may tag."""
    return sellable_filter(user, own_unlisted=True)
