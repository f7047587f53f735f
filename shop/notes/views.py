"""A note and its comment threads as the JSON API and the note page both show them to a viewer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.notes import reading, services
from shop.notes.schemas import CommentOut, NoteOut, comment_out, note_out


async def note_detail(db: AsyncSession, note_id: int, viewer: User | None) -> NoteOut:
    return (await note_and_following(db, note_id, viewer))[0]


async def note_and_following(db: AsyncSession, note_id: int, viewer: User | None) -> tuple[NoteOut, bool]:
    """The note as `viewer` sees it, and whether the viewer follows its author (the page's button)."""
    note = await reading.note_for_reading(db, note_id, viewer)
    products = await reading.tagged_products(db, note)
    liked, saved, following = await reading.viewer_state(db, viewer, note)
    return note_out(note, products, liked=liked, saved=saved), following


async def comment_threads(
    db: AsyncSession, viewer: User | None, note_id: int, cursor: str | None, limit: int
) -> tuple[list[CommentOut], str | None]:
    """Checks the note exists (the JSON API); the note page, which has read it, calls `threads_of`."""
    await services.get_note(db, note_id)
    return await threads_of(db, viewer, note_id, cursor, limit)


async def threads_of(
    db: AsyncSession, viewer: User | None, note_id: int, cursor: str | None, limit: int
) -> tuple[list[CommentOut], str | None]:
    roots, next_cursor, threads = await reading.comment_page(db, note_id, cursor=cursor, limit=limit)
    ids = [c.id for c in roots] + [r.id for replies in threads.values() for r in replies]
    liked = await reading.comment_likes_of(db, viewer, ids)
    return [comment_out(c, liked=liked, replies=threads.get(c.id, [])) for c in roots], next_cursor


def json_ld(note: NoteOut) -> dict[str, object] | None:
    """schema.org markup for a note bound to a deal: the brand is its `sponsor` (search engines and
    ad-transparency tools read the paid relationship from it)."""
    disclosure = note.disclosure or {}
    brand = disclosure.get("brand")
    if disclosure.get("kind") != "paid_partnership" or not isinstance(brand, dict):
        return None
    return {
        "@context": "https://schema.org",
        "@type": "SocialMediaPosting",
        "headline": note.title,
        "author": {"@type": "Person", "name": note.author.display_name},
        "datePublished": (note.published_at or note.created_at).isoformat(),
        "sponsor": {"@type": "Organization", "name": brand["name"]},
    }
