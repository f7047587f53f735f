"""Storefronts: a merchant's shop page lists its products and the notes about it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload, selectinload

from shop.accounts.models import Merchant, User
from shop.catalog.models import Product
from shop.core.db import keyset_page
from shop.core.errors import NotFound
from shop.notes.models import Note, NoteImage, ProductTag, published


async def get_shop(db: AsyncSession, shop_id: int) -> Merchant:
    shop = await db.get(Merchant, shop_id)
    if shop is None:
        raise NotFound("No such shop.")
    return shop


async def shop_notes(
    db: AsyncSession, shop: Merchant, *, cursor: str | None, limit: int
) -> tuple[Sequence[Note], str | None]:
    """Notes by the shop's owner, and notes by anyone that tag one of the shop's products."""
    tagging = (
        select(NoteImage.note_id)
        .join(ProductTag, ProductTag.note_image_id == NoteImage.id)
        .join(Product, Product.id == ProductTag.product_id)
        .where(Product.merchant_id == shop.id)
    )
    stmt: Select[Note] = (
        select(Note)
        .options(selectinload(Note.images).lazyload(NoteImage.tags), lazyload(Note.topics))
        .where(or_(Note.author_id == shop.owner_id, Note.id.in_(tagging)), published())
    )
    return await keyset_page(db, stmt, Note.id, cursor=cursor, limit=limit)


async def popular_shops(db: AsyncSession, limit: int = 20) -> Sequence[Merchant]:
    """Shops for the /shop listing, the most followed owners first."""
    stmt = (
        select(Merchant)
        .join(User, User.id == Merchant.owner_id)
        .order_by(User.follower_count.desc(), Merchant.id)
        .limit(limit)
    )
    return (await db.scalars(stmt)).unique().all()
