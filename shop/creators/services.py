"""Creator discovery: one page of creators with their stats, topics and latest notes in three queries.

Engagement. Notes store no view counter, so a view-based rate cannot be computed. Instead:

    engagement_rate = (likes + saves + comments on the creator's published notes of the last
                       ENGAGEMENT_WINDOW_DAYS days) / (the number of those notes)

that is, interactions per recent note (0 when nothing was published in the window). The counters
are the notes' current totals. Drafts never count: they are private to their author.

Only users with the creator role who have published at least one note are listed: a merchant
discovers creators by what they have posted, and the card shows their latest notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from shop.accounts.models import Role, User
from shop.core import clock, search
from shop.core.errors import InvalidInput
from shop.core.pagination import cursor_int, decode_cursor, encode_cursor
from shop.core.storage import media_url
from shop.creators.schemas import CreatorFilters, CreatorOut, CreatorSort, RecentNoteOut
from shop.notes.models import Note, NoteImage, NoteTopic, published

ENGAGEMENT_WINDOW_DAYS = 90
RECENT_NOTES = 3
TOP_TOPICS = 3
_BAD_CURSOR = {"cursor": "This cursor is not valid."}


def _published_at() -> Any:
    # Every published note has published_at (migration 0012 backfilled it); created_at is a fallback.
    return func.coalesce(Note.published_at, Note.created_at)


def _stats() -> Any:
    """Per author, over published notes: how many, the latest, and the window's notes and interactions."""
    at = _published_at()
    in_window = at >= clock.now() - timedelta(days=ENGAGEMENT_WINDOW_DAYS)
    interactions = Note.like_count + Note.save_count + Note.comment_count
    return (
        select(
            Note.author_id.label("author_id"),
            func.count(Note.id).label("notes"),
            func.max(at).label("last_at"),
            func.sum(case((in_window, 1), else_=0)).label("window_notes"),
            func.sum(case((in_window, interactions), else_=0)).label("interactions"),
        )
        .where(published())
        .group_by(Note.author_id)
        .subquery("creator_stats")
    )


def _sort_key(sort: CreatorSort, stats: Any, engagement: Any) -> Any:
    if sort is CreatorSort.ENGAGEMENT:
        return engagement
    if sort is CreatorSort.RECENT:
        return stats.c.last_at
    return User.follower_count


def _filtered(stmt: Select[Any], filters: CreatorFilters, engagement: Any) -> Select[Any]:
    if filters.topic is not None:
        stmt = stmt.where(
            exists()
            .where(NoteTopic.note_id == Note.id, NoteTopic.topic == filters.topic)
            .where(Note.author_id == User.id, published())
        )
    if filters.min_followers is not None:
        stmt = stmt.where(User.follower_count >= filters.min_followers)
    if filters.max_followers is not None:
        stmt = stmt.where(User.follower_count <= filters.max_followers)
    if filters.min_engagement is not None:
        stmt = stmt.where(engagement >= filters.min_engagement)
    # (display_name, bio): the expression migration 0007 indexed, as people search uses it.
    if (condition := search.matches_all((User.display_name, User.bio), filters.q)) is not None:
        stmt = stmt.where(condition)
    return stmt


def _after(cursor: str | None, sort: CreatorSort, key: Any) -> Any:
    """The keyset condition for the page after `cursor`: (key, id) below the last row's."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    after_id, value = values.get("id"), values.get("k")
    if values.get("s") != sort.value or not cursor_int(after_id):
        raise InvalidInput(fields=_BAD_CURSOR)
    try:
        if sort is CreatorSort.RECENT:
            value = datetime.fromisoformat(str(value))
            if value.tzinfo is None:  # ours are UTC-aware; the column refuses a naive time (a 500)
                raise ValueError(value)
        elif isinstance(value, bool) or not isinstance(value, int | float) or not cursor_int(int(value)):
            # A forged number beyond a BIGINT (or inf, NaN) would reach the driver.
            raise ValueError(value)
    except (ValueError, OverflowError):
        raise InvalidInput(fields=_BAD_CURSOR) from None
    return or_(key < value, and_(key == value, User.id < after_id))


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def discover(
    db: AsyncSession, filters: CreatorFilters, *, cursor: str | None, limit: int
) -> tuple[list[CreatorOut], str | None]:
    """One page of creators matching `filters`, best first by `filters.sort`, then newest account."""
    stats = _stats()
    engagement = case(
        (stats.c.window_notes > 0, cast(stats.c.interactions, Float) / stats.c.window_notes), else_=0.0
    )
    key = _sort_key(filters.sort, stats, engagement)
    stmt = (
        select(User, stats.c.notes, engagement.label("engagement"), key.label("sort_key"))
        .join(stats, stats.c.author_id == User.id)
        .where(User.role == Role.CREATOR.value)
        .options(lazyload(User.merchant))  # a creator has no shop: skip the relationship's query
    )
    stmt = _filtered(stmt, filters, engagement)
    if (condition := _after(cursor, filters.sort, key)) is not None:
        stmt = stmt.where(condition)
    rows = (await db.execute(stmt.order_by(key.desc(), User.id.desc()).limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        value = _cursor_value(last.sort_key)
        next_cursor = encode_cursor({"s": filters.sort.value, "k": value, "id": last[0].id})
    rows = rows[:limit]
    ids = [row[0].id for row in rows]
    topics, recent = await top_topics(db, ids), await recent_notes(db, ids)
    cards = [_card(row[0], int(row[1]), float(row[2]), topics, recent) for row in rows]
    return cards, next_cursor


def _card(
    user: User,
    notes_count: int,
    engagement: float,
    topics: dict[int, list[str]],
    recent: dict[int, list[RecentNoteOut]],
) -> CreatorOut:
    return CreatorOut(
        id=user.id,
        display_name=user.display_name,
        avatar_url=user.avatar_url,
        bio=user.bio,
        follower_count=user.follower_count,
        engagement_rate=round(engagement, 2),
        topics=topics.get(user.id, []),
        recent_notes=recent.get(user.id, []),
        notes_count=notes_count,
    )


async def top_topics(db: AsyncSession, author_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each author's most used topics on published notes (ties by name), in one query."""
    if not author_ids:
        return {}
    uses = func.count(NoteTopic.id)
    stmt = (
        select(Note.author_id, NoteTopic.topic)
        .join(Note, Note.id == NoteTopic.note_id)
        .where(Note.author_id.in_(author_ids), published())
        .group_by(Note.author_id, NoteTopic.topic)
        .order_by(Note.author_id, uses.desc(), NoteTopic.topic)
    )
    topics: dict[int, list[str]] = {}
    for author_id, topic in await db.execute(stmt):
        chosen = topics.setdefault(author_id, [])
        if len(chosen) < TOP_TOPICS:
            chosen.append(topic)
    return topics


async def recent_notes(db: AsyncSession, author_ids: Sequence[int]) -> dict[int, list[RecentNoteOut]]:
    """The latest RECENT_NOTES published notes of each author with their cover, in one query."""
    if not author_ids:
        return {}
    rank = func.row_number().over(
        partition_by=Note.author_id, order_by=(_published_at().desc(), Note.id.desc())
    )
    ranked = (
        select(Note.id, Note.author_id, Note.title, Note.like_count, rank.label("rank"))
        .where(Note.author_id.in_(author_ids), published())
        .subquery("ranked")
    )
    cover = (
        select(NoteImage.thumb_key)
        .where(NoteImage.note_id == ranked.c.id)
        .order_by(NoteImage.position, NoteImage.id)
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(ranked.c.id, ranked.c.author_id, ranked.c.title, ranked.c.like_count, cover)
        .where(ranked.c.rank <= RECENT_NOTES)
        .order_by(ranked.c.author_id, ranked.c.rank)
    )
    notes: dict[int, list[RecentNoteOut]] = {}
    for note_id, author_id, title, likes, thumb in await db.execute(stmt):
        out = RecentNoteOut(
            id=note_id, title=title, cover_url=media_url(thumb) if thumb else None, likes=likes
        )
        notes.setdefault(author_id, []).append(out)
    return notes


async def popular_topics(db: AsyncSession, limit: int = 12) -> list[str]:
    """The topics creators use most on published notes: the page's topic chips."""
    uses = func.count(NoteTopic.id)
    stmt = (
        select(NoteTopic.topic)
        .join(Note, Note.id == NoteTopic.note_id)
        .join(User, User.id == Note.author_id)
        .where(published(), User.role == Role.CREATOR.value)
        .group_by(NoteTopic.topic)
        .order_by(uses.desc(), NoteTopic.topic)
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())
