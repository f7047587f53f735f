"""The creator studio: the author's own notes (drafts too), what they may tag, and topic suggestions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload, selectinload

from shop.accounts.models import Role, User
from shop.catalog.models import Product
from shop.core import search
from shop.core.db import keyset_page
from shop.core.errors import NotFound
from shop.deals.models import OPEN_DEAL_STATES, Deal, Deliverable
from shop.notes.models import Note, NoteImage, NoteTopic, published
from shop.notes.rights import taggable_products_filter


def require_poster(user: User) -> User:
    """The studio is for creators and merchants; for anybody else it does not exist."""
    if user.role not in (Role.CREATOR, Role.MERCHANT):
        raise NotFound("The studio is for creators and merchants.")
    return user


async def own_notes(
    db: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> tuple[Sequence[Note], str | None]:
    """Every note of the author, drafts included, newest first."""
    require_poster(user)
    stmt: Select[Note] = (
        select(Note)
        .where(Note.author_id == user.id)
        .options(selectinload(Note.images).lazyload(NoteImage.tags), lazyload(Note.topics))
    )
    return await keyset_page(db, stmt, Note.id, cursor=cursor, limit=limit)


async def own_note(db: AsyncSession, user: User, note_id: int) -> Note:
    """The author's note in any status, for the composer; anybody else's is a 404."""
    require_poster(user)
    note = await db.get(Note, note_id)
    if note is None or note.author_id != user.id:
        raise NotFound("No such note.")
    return note


async def taggable_products(
    db: AsyncSession, user: User, *, q: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[Product], str | None]:
    require_poster(user)
    stmt: Select[Product] = select(Product).where(taggable_products_filter(user))
    if (condition := search.matches_all(Product.search_text, q)) is not None:
        stmt = stmt.where(condition)
    return await keyset_page(db, stmt, Product.id, cursor=cursor, limit=limit)


async def popular_topics(
    db: AsyncSession, user: User, q: str | None, limit: int = 12
) -> list[tuple[str, int]]:
    """The most used topics on published notes, those starting with `q` (without its #) if given."""
    require_poster(user)
    uses = func.count(NoteTopic.id).label("uses")
    stmt = (
        select(NoteTopic.topic, uses)
        .join(Note, Note.id == NoteTopic.note_id)
        .where(published())
        .group_by(NoteTopic.topic)
        .order_by(uses.desc(), NoteTopic.topic)
        .limit(limit)
    )
    prefix = (q or "").strip().lstrip("#").lower()[:40]
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(NoteTopic.topic.like(f"{escaped}%", escape="\\"))
    return [(str(topic), int(count)) for topic, count in (await db.execute(stmt)).all()]


async def deal_to_write_for(db: AsyncSession, user: User, deal_id: int) -> dict[str, object]:
    """The creator's own deal that still takes a note: what the composer binds a new note to."""
    deal = await db.get(Deal, deal_id)
    if (
        deal is None
        or deal.creator_id != user.id
        or deal.offer.deliverable != Deliverable.NOTE
        or deal.status not in OPEN_DEAL_STATES
    ):
        raise NotFound("No such deal waiting for a note.")
    brand = deal.offer.merchant
    return {"id": deal.id, "brand": {"id": brand.id, "name": brand.name}}
