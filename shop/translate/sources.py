"""Where the texts come from: a reader per kind, given keys, answers the parts each visible item
has. Notes and comments live in `shop`; chat lines belong to `live`, which `shop` never imports, so
the composition root registers their reader (`shop.wiring.register_live`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.notes.models import Comment, Note, NoteStatus

Parts = list[tuple[str, str]]  # (part: title | body | text, the text)
# (db, viewer, keys) -> {key: parts} for the keys the viewer may read; others are left out.
Reader = Callable[[AsyncSession, User, Sequence[Hashable]], Awaitable[dict[Hashable, Parts]]]


def _readable(viewer: User) -> ColumnElement[bool]:
    """Published notes, and the viewer's own drafts: anyone else's draft does not exist."""
    return or_(Note.status == NoteStatus.PUBLISHED.value, Note.author_id == viewer.id)


async def notes(db: AsyncSession, viewer: User, keys: Sequence[Hashable]) -> dict[Hashable, Parts]:
    stmt = select(Note.id, Note.title, Note.body).where(Note.id.in_(keys), _readable(viewer))
    return {row.id: [("title", row.title), ("body", row.body)] for row in await db.execute(stmt)}


async def comments(db: AsyncSession, viewer: User, keys: Sequence[Hashable]) -> dict[Hashable, Parts]:
    stmt = (
        select(Comment.id, Comment.body)
        .join(Note, Note.id == Comment.note_id)
        .where(Comment.id.in_(keys), _readable(viewer))
    )
    return {row.id: [("text", row.body)] for row in await db.execute(stmt)}


_readers: dict[str, Reader] = {"note": notes, "comment": comments}


def register(kind: str, reader: Reader) -> None:
    """Called by the composition root (chat lines: `live.translation.chat_lines`)."""
    _readers[kind] = reader


def reader(kind: str) -> Reader | None:
    return _readers.get(kind)
