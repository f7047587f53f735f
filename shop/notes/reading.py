"""What the note page and the note's JSON read, in a fixed number of statements (issue 14): the
note with its author, images and tags in one; its topics; the tagged products with their cards;
the viewer's like, save and follow in one; the comments, their replies and the viewer's likes.
However many images, tags, products or comments a note has, the count stays the same.

The author's shop (`User.merchant`, selectin by default) and a variant's product (joined by
default) are not needed to draw a byline or a price: they load lazily, only if something asks.
The feed's cards (shop.notes.services.feed) use AUTHOR and DEAL too.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, lazyload, selectinload

from shop.accounts.models import Follow, Merchant, User
from shop.catalog.models import Product, Variant
from shop.core.db import keyset_page
from shop.core.errors import NotFound
from shop.deals.models import Deal, Offer
from shop.notes.models import Comment, CommentLike, Note, NoteImage, NoteLike, NoteSave, NoteStatus

MAX_REPLIES = 50  # per thread on a page; a thread past that is a conversation for another screen

# A deal-bound note shows "Paid partnership with {brand}": the deal, its offer and the brand, joined
# into the note's own row; the offer's products, fee, creator and the deal's rounds are not read.
DEAL = joinedload(Note.deal).options(
    lazyload(Deal.rounds),
    joinedload(Deal.offer).options(
        lazyload(Offer.items),
        lazyload(Offer.fee),
        lazyload(Offer.creator),
        joinedload(Offer.merchant).lazyload(Merchant.owner),
    ),
)
AUTHOR = joinedload(Note.author).lazyload(User.merchant)
_NOTE = (
    AUTHOR,
    DEAL,
    # One row per tag (or per bare image): a few dozen rows at most, in the note's own statement.
    joinedload(Note.images).joinedload(NoteImage.tags),
    selectinload(Note.topics),
)
_COMMENT_AUTHOR = joinedload(Comment.author).lazyload(User.merchant)


async def note_for_reading(db: AsyncSession, note_id: int, viewer: User | None) -> Note:
    """A published note, or a draft for its author; any other draft does not exist (as get_note)."""
    stmt = select(Note).where(Note.id == note_id).options(*_NOTE)
    note = (await db.scalars(stmt)).unique().one_or_none()
    if note is None:
        raise NotFound("No such note.")
    if note.status != NoteStatus.PUBLISHED.value and (viewer is None or viewer.id != note.author_id):
        raise NotFound("No such note.")
    return note


async def tagged_products(db: AsyncSession, note: Note) -> list[Product]:
    """The products tagged on the note's images, first tagged first: products (with their shop)
    and images in one statement, variants in a second."""
    ids = list(dict.fromkeys(tag.product_id for image in note.images for tag in image.tags))
    if not ids:
        return []
    stmt = (
        select(Product)
        .where(Product.id.in_(ids))
        .options(joinedload(Product.images), selectinload(Product.variants).lazyload(Variant.product))
    )
    found = {p.id: p for p in (await db.scalars(stmt)).unique()}
    return [found[i] for i in ids if i in found]


async def viewer_state(db: AsyncSession, viewer: User | None, note: Note) -> tuple[bool, bool, bool]:
    """Whether the viewer liked the note, saved it and follows its author, in one statement."""
    if viewer is None:
        return False, False, False
    liked = exists().where(NoteLike.note_id == note.id, NoteLike.user_id == viewer.id)
    saved = exists().where(NoteSave.note_id == note.id, NoteSave.user_id == viewer.id)
    follows = exists().where(Follow.follower_id == viewer.id, Follow.followee_id == note.author_id)
    row = (await db.execute(select(liked.label("l"), saved.label("s"), follows.label("f")))).one()
    return bool(row.l), bool(row.s), bool(row.f)


async def comment_page(
    db: AsyncSession, note_id: int, *, cursor: str | None, limit: int
) -> tuple[Sequence[Comment], str | None, dict[int, list[Comment]]]:
    """A page of top-level comments, oldest first, and the threads under them (replies by parent).
    The caller has checked the note may be read."""
    stmt = (
        select(Comment)
        .where(Comment.note_id == note_id, Comment.parent_id.is_(None))
        .options(_COMMENT_AUTHOR)
    )
    roots, next_cursor = await keyset_page(
        db, stmt, Comment.id, cursor=cursor, limit=limit, newest_first=False
    )
    return roots, next_cursor, await _replies(db, [c.id for c in roots])


async def _replies(db: AsyncSession, root_ids: list[int]) -> dict[int, list[Comment]]:
    """The first MAX_REPLIES replies of each thread, in one query (a window bounds every thread)."""
    if not root_ids:
        return {}
    rank = func.row_number().over(partition_by=Comment.parent_id, order_by=Comment.id).label("rank")
    ranked = select(Comment.id, rank).where(Comment.parent_id.in_(root_ids)).subquery()
    first = select(ranked.c.id).where(ranked.c.rank <= MAX_REPLIES)
    stmt = select(Comment).where(Comment.id.in_(first)).options(_COMMENT_AUTHOR).order_by(Comment.id)
    threads: dict[int, list[Comment]] = {}
    for reply in (await db.scalars(stmt)).unique():
        threads.setdefault(int(reply.parent_id or 0), []).append(reply)
    return threads


async def comment_likes_of(db: AsyncSession, user: User | None, comment_ids: list[int]) -> frozenset[int]:
    if user is None or not comment_ids:
        return frozenset()
    stmt = select(CommentLike.comment_id).where(
        CommentLike.user_id == user.id, CommentLike.comment_id.in_(comment_ids)
    )
    return frozenset((await db.scalars(stmt)).all())
