"""After sign-up: pick interests (topics), then follow a few suggested creators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload, selectinload

from shop.accounts.models import Follow, Role, User, UserInterest
from shop.notes.models import Note, NoteImage, NoteTopic, published

COVERS_PER_CREATOR = 3


@dataclass
class Suggestion:
    user: User
    topical_note_count: int
    is_following: bool
    covers: list[NoteImage] = field(default_factory=list)


async def popular_topics(db: AsyncSession, limit: int = 24) -> list[str]:
    """The most used topics of published notes (a draft's topics are its author's alone)."""
    count = func.count(NoteTopic.id)
    stmt = (
        select(NoteTopic.topic)
        .join(Note, Note.id == NoteTopic.note_id)
        .where(published())
        .group_by(NoteTopic.topic)
        .order_by(count.desc(), NoteTopic.topic)
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())


async def interests(db: AsyncSession, user: User) -> list[str]:
    stmt = select(UserInterest.topic).where(UserInterest.user_id == user.id).order_by(UserInterest.id)
    return list((await db.scalars(stmt)).all())


async def set_interests(db: AsyncSession, user: User, topics: Sequence[str]) -> list[str]:
    """Replace the user's interests with `topics` (already validated and lower-cased)."""
    chosen = list(dict.fromkeys(topics))
    await db.execute(delete(UserInterest).where(UserInterest.user_id == user.id))
    db.add_all(UserInterest(user_id=user.id, topic=topic) for topic in chosen)
    await db.flush()
    return chosen


async def suggested_creators(db: AsyncSession, user: User, limit: int = 12) -> list[Suggestion]:
    """Creators and merchants ranked by their notes in the user's topics, then by followers."""
    topics = select(UserInterest.topic).where(UserInterest.user_id == user.id)
    topical = (
        select(func.count(Note.id))
        .where(
            Note.author_id == User.id,
            published(),
            exists().where(NoteTopic.note_id == Note.id, NoteTopic.topic.in_(topics)),
        )
        .correlate(User)
        .scalar_subquery()
    )
    followed = exists().where(Follow.follower_id == user.id, Follow.followee_id == User.id)
    stmt = (
        select(User, topical, followed)
        .where(User.role.in_([Role.CREATOR.value, Role.MERCHANT.value]), User.id != user.id)
        .order_by(topical.desc(), User.follower_count.desc(), User.id)
        .limit(limit)
    )
    rows = (await db.execute(stmt)).all()
    suggestions = [Suggestion(row[0], int(row[1]), bool(row[2])) for row in rows]
    covers = await _recent_covers(db, [s.user.id for s in suggestions])
    for suggestion in suggestions:
        suggestion.covers = covers.get(suggestion.user.id, [])
    return suggestions


async def _recent_covers(db: AsyncSession, author_ids: list[int]) -> dict[int, list[NoteImage]]:
    """The first image of each author's latest notes, in one query (a window per author)."""
    if not author_ids:
        return {}
    rank = func.row_number().over(partition_by=Note.author_id, order_by=Note.id.desc()).label("rank")
    ranked = select(Note.id, rank).where(Note.author_id.in_(author_ids), published()).subquery()
    stmt = (
        select(Note)
        .join(ranked, ranked.c.id == Note.id)
        .where(ranked.c.rank <= COVERS_PER_CREATOR)
        .options(selectinload(Note.images).lazyload(NoteImage.tags), lazyload(Note.topics))
        .order_by(Note.id.desc())
    )
    covers: dict[int, list[NoteImage]] = {}
    for note in (await db.scalars(stmt)).unique():
        if note.images:
            covers.setdefault(note.author_id, []).append(note.images[0])
    return covers
