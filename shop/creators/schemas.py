"""The discovery filters (validated once, for the API and the page alike) and the creator card."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from shop.core.errors import InvalidInput
from shop.core.schemas import Output
from shop.notes.schemas import Topic

MAX_FOLLOWERS = 10**9
MAX_ENGAGEMENT = 10**6
_TOPIC: TypeAdapter[str] = TypeAdapter(Topic)


class CreatorSort(enum.StrEnum):
    FOLLOWERS = "followers"  # most followed first
    ENGAGEMENT = "engagement"  # most interactions per recent note first
    RECENT = "recent"  # the latest published note first


@dataclass(frozen=True, slots=True)
class CreatorFilters:
    topic: str | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement: float | None = None
    q: str | None = None
    sort: CreatorSort = CreatorSort.FOLLOWERS


def creator_filters(
    *,
    topic: str | None = None,
    min_followers: int | None = None,
    max_followers: int | None = None,
    min_engagement: float | None = None,
    q: str | None = None,
    sort: CreatorSort = CreatorSort.FOLLOWERS,
) -> CreatorFilters:
    """The filters with the topic normalised like a note's (#Tea → tea); 422 for what cannot match."""
    if topic is not None and topic.strip():
        try:
            topic = _TOPIC.validate_python(topic)
        except ValidationError:
            raise InvalidInput(fields={"topic": "Topics are 1-40 letters, digits or underscores."}) from None
    else:
        topic = None
    if min_followers is not None and max_followers is not None and min_followers > max_followers:
        raise InvalidInput(fields={"max_followers": "Use a maximum at least as large as the minimum."})
    return CreatorFilters(
        topic, min_followers, max_followers, min_engagement, (q or "").strip() or None, sort
    )


class RecentNoteOut(Output):
    id: int
    title: str
    cover_url: str | None
    likes: int


class CreatorOut(Output):
    id: int
    display_name: str
    avatar_url: str | None
    bio: str
    follower_count: int
    # Likes, saves and comments per published note of the last 90 days (see services.engagement).
    engagement_rate: float
    topics: list[str]
    recent_notes: list[RecentNoteOut]
    notes_count: int


class CreatorPage(Output):
    items: list[CreatorOut]
    next_cursor: str | None
