"""Notes: uploads, posting with product tags, the feed, likes, saves and comments. What the note page
reads is in shop.notes.reading."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy import Select, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload, selectinload

from shop.accounts.models import Follow, User
from shop.core import clock, search
from shop.core.db import insert_ignoring_conflict, keyset_page
from shop.core.errors import InvalidInput, NotFound
from shop.core.storage import ImageStore
from shop.notes import reading
from shop.notes.models import (
    Comment,
    CommentLike,
    Note,
    NoteImage,
    NoteLike,
    NoteSave,
    NoteStatus,
    NoteTopic,
    ProductTag,
    Upload,
    published,
)
from shop.notes.reading import tagged_products as tagged_products  # the studio's preview reads it here
from shop.notes.schemas import CommentIn
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier


async def store_upload(db: AsyncSession, store: ImageStore, owner: User, data: bytes) -> Upload:
    # Pillow decoding is CPU work: keep it off the event loop.
    stored = await anyio.to_thread.run_sync(store.save, data)
    upload = Upload(
        owner_id=owner.id,
        key=stored.key,
        thumb_key=stored.thumb_key,
        width=stored.width,
        height=stored.height,
        size_bytes=stored.size_bytes,
    )
    db.add(upload)
    await db.flush()
    return upload


async def feed(
    db: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    q: str | None = None,
    topic: str | None = None,
    author_id: int | None = None,
    saved_by: int | None = None,
    followed_by: int | None = None,
) -> tuple[Sequence[Note], str | None]:
    """Newest first, keyset-paginated on id so pages never skip or repeat under inserts."""
    # A card needs the author and the cover only: skip the tags and topics a note page loads.
    stmt: Select[Note] = (
        select(Note)
        .options(
            reading.AUTHOR,
            reading.DEAL,
            selectinload(Note.images).lazyload(NoteImage.tags),
            lazyload(Note.topics),
        )
        .where(published())
    )
    if author_id is not None:
        stmt = stmt.where(Note.author_id == author_id)
    if topic:
        stmt = stmt.where(
            exists().where(NoteTopic.note_id == Note.id, NoteTopic.topic == topic.lower().lstrip("#"))
        )
    if saved_by is not None:
        stmt = stmt.where(exists().where(NoteSave.note_id == Note.id, NoteSave.user_id == saved_by))
    if followed_by is not None:  # the Following feed: notes by the people this user follows
        stmt = stmt.where(
            exists().where(Follow.follower_id == followed_by, Follow.followee_id == Note.author_id)
        )
    if (condition := search.matches_all(Note.search_text, q)) is not None:
        stmt = stmt.where(condition)
    return await keyset_page(db, stmt, Note.id, cursor=cursor, limit=limit)


async def suggested_authors(db: AsyncSession, viewer: User, limit: int = 6) -> Sequence[User]:
    """Who to follow when the Following feed is empty: the most-followed authors not yet followed."""
    followed = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    stmt = (
        select(User)
        .where(
            User.id != viewer.id,
            User.id.not_in(followed),
            exists().where(Note.author_id == User.id, published()),
        )
        .order_by(User.follower_count.desc(), User.id)
        .limit(limit)
    )
    return (await db.scalars(stmt)).unique().all()


async def get_note(db: AsyncSession, note_id: int, viewer: User | None = None) -> Note:
    """A published note, or a draft for its author (`viewer`); any other draft does not exist.
    Likes, saves and comments pass no viewer: nobody reacts to a draft, its author included."""
    note = await db.get(Note, note_id)
    if note is None:
        raise NotFound("No such note.")
    if note.status != NoteStatus.PUBLISHED.value and (viewer is None or viewer.id != note.author_id):
        raise NotFound("No such note.")
    return note


async def notes_featuring(db: AsyncSession, product_id: int, limit: int = 12) -> Sequence[Note]:
    tagged = (
        select(NoteImage.note_id)
        .join(ProductTag, ProductTag.note_image_id == NoteImage.id)
        .where(ProductTag.product_id == product_id)
    )
    stmt = (
        select(Note)
        .where(Note.id.in_(tagged), published())
        .order_by(Note.like_count.desc(), Note.id.desc())
        .limit(limit)
    )
    return (await db.scalars(stmt)).unique().all()


async def set_reaction(
    db: AsyncSession, user: User, note_id: int, *, kind: str, on: bool, notifier: Notifier | None = None
) -> tuple[bool, int]:
    """Like or save (kind) idempotently; the counter moves (and a like notifies the author) only when
    the row really changes. Without a notifier (the demo seeder) nobody is notified."""
    note = await get_note(db, note_id)
    model, counter = (NoteLike, Note.like_count) if kind == "like" else (NoteSave, Note.save_count)
    if on:
        now = clock.now()
        values = {"note_id": note.id, "user_id": user.id, "created_at": now, "updated_at": now}
        changed = int(await insert_ignoring_conflict(db, model, values))
    else:
        result = await db.execute(delete(model).where(model.note_id == note.id, model.user_id == user.id))
        changed = -int(result.rowcount or 0)  # type: ignore[attr-defined]
    if changed:
        await db.execute(update(Note).where(Note.id == note.id).values({counter.key: counter + changed}))
    if kind == "like" and changed > 0 and notifier is not None:
        await notifier.notify(
            db, note.author_id, NotificationKind.LIKE, actor=user, subject=note.title, url=f"/notes/{note.id}"
        )
    count = await db.scalar(select(counter).where(Note.id == note.id))
    return on, int(count or 0)


async def add_comment(
    db: AsyncSession, author: User, note_id: int, data: CommentIn, notifier: Notifier | None = None
) -> Comment:
    """Comment, or reply (one level: a reply to a reply joins the top-level comment's thread).

    The note's author hears of a comment, a parent's author of a reply (once, if the same person).
    """
    note = await get_note(db, note_id)
    parent = None
    if data.parent_id is not None:
        parent = await db.get(Comment, data.parent_id)
        if parent is None or parent.note_id != note.id:
            raise InvalidInput(
                "You can only reply to a comment on this note.", fields={"parent_id": "Unknown comment."}
            )
    root_id = parent and (parent.parent_id or parent.id)
    comment = Comment(note_id=note.id, author_id=author.id, parent_id=root_id, body=data.body)
    db.add(comment)
    await db.execute(update(Note).where(Note.id == note.id).values(comment_count=Note.comment_count + 1))
    await db.flush()
    await db.refresh(comment, ["author"])
    if notifier is not None:
        url = f"/notes/{note.id}#comment-{comment.id}"
        if parent is not None:
            await notifier.notify(
                db, parent.author_id, NotificationKind.REPLY, actor=author, subject=data.body, url=url
            )
        if parent is None or parent.author_id != note.author_id:
            await notifier.notify(
                db, note.author_id, NotificationKind.COMMENT, actor=author, subject=data.body, url=url
            )
    return comment


async def set_comment_like(
    db: AsyncSession, user: User, comment_id: int, *, on: bool, notifier: Notifier | None = None
) -> tuple[bool, int]:
    """Like a comment idempotently; the counter (and the author's notification) only on a real change."""
    comment = await db.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    if on:
        now = clock.now()
        values = {"comment_id": comment.id, "user_id": user.id, "created_at": now, "updated_at": now}
        changed = int(await insert_ignoring_conflict(db, CommentLike, values))
    else:
        result = await db.execute(
            delete(CommentLike).where(CommentLike.comment_id == comment.id, CommentLike.user_id == user.id)
        )
        changed = -int(result.rowcount or 0)  # type: ignore[attr-defined]
    if changed:
        await db.execute(
            update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count + changed)
        )
    if changed > 0 and notifier is not None:
        url = f"/notes/{comment.note_id}#comment-{comment.id}"
        await notifier.notify(
            db, comment.author_id, NotificationKind.COMMENT_LIKE, actor=user, subject=comment.body, url=url
        )
    count = await db.scalar(select(Comment.like_count).where(Comment.id == comment.id))
    return on, int(count or 0)
