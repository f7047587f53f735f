from __future__ import annotations

from datetime import datetime

from shop.catalog.schemas import ImageOut
from shop.core.schemas import Output
from shop.notes.models import Note


class StudioNoteOut(Output):
    """A row of the studio's list. There is no view counter yet, so no views are shown."""

    id: int
    title: str
    status: str
    cover: ImageOut | None
    like_count: int
    save_count: int
    comment_count: int
    product_count: int
    created_at: datetime
    published_at: datetime | None


class StudioNotePage(Output):
    items: list[StudioNoteOut]
    next_cursor: str | None


class TopicOut(Output):
    topic: str
    uses: int


class TopicList(Output):
    items: list[TopicOut]


def studio_note_out(note: Note) -> StudioNoteOut:
    from shop.core.storage import media_url, thumb_size

    cover = None
    if note.images:
        first = note.images[0]
        width, height = thumb_size(first.width, first.height)
        cover = ImageOut(url=media_url(first.thumb_key), width=width, height=height)
    return StudioNoteOut(
        id=note.id,
        title=note.title,
        status=note.status,
        cover=cover,
        like_count=note.like_count,
        save_count=note.save_count,
        comment_count=note.comment_count,
        product_count=note.product_count,
        created_at=note.created_at,
        published_at=note.published_at,
    )
