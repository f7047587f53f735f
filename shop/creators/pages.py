"""The merchant's discovery page `/partners/creators`: a filter bar, then creator cards with offers."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.core.pages import render
from shop.core.schemas import Cursor, QueryText
from shop.creators import services
from shop.creators.schemas import MAX_ENGAGEMENT, CreatorFilters, CreatorSort, creator_filters

PATH = "/partners/creators"
PAGE_SIZE = 24
# The follower range select: key → (label, minimum, maximum), both inclusive.
FOLLOWER_RANGES: dict[str, tuple[str, int | None, int | None]] = {
    "any": ("Any followers", None, None),
    "lt1k": ("Under 1k", None, 999),
    "1k-10k": ("1k\u201310k", 1_000, 9_999),
    "10k-100k": ("10k\u2013100k", 10_000, 99_999),
    "100k+": ("100k+", 100_000, None),
}
FollowerRange = Literal["any", "lt1k", "1k-10k", "10k-100k", "100k+"]
ENGAGEMENT_STEPS = (1, 5, 10, 25, 50, 100)
SORTS = {
    CreatorSort.FOLLOWERS: "Most followers",
    CreatorSort.ENGAGEMENT: "Top engagement",
    CreatorSort.RECENT: "Recently active",
}


def _url(params: dict[str, Any], **changes: Any) -> str:
    """This page's address with `changes` applied; empty and default values are left out."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "", "any", CreatorSort.FOLLOWERS.value)}
    return f"{PATH}?{urlencode(kept)}" if kept else PATH


def _filters(
    topic: str | None, followers: str, min_engagement: float | None, q: str | None, sort: CreatorSort
) -> CreatorFilters:
    _label, low, high = FOLLOWER_RANGES[followers]
    return creator_filters(
        topic=topic,
        min_followers=low,
        max_followers=high,
        min_engagement=min_engagement or None,
        q=q,
        sort=sort,
    )


def _engagement(value: str) -> float | None:
    """The minimum engagement picked in the select ("" is Any); 422 like the API for anything else."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= MAX_ENGAGEMENT:  # also refuses nan and inf
        raise InvalidInput(fields={"min_engagement": N_("Use a number from 0 to %(n)s.", n=MAX_ENGAGEMENT)})
    return number or None


def _topic_chips(popular: list[str], params: dict[str, Any], current: str | None) -> list[dict[str, Any]]:
    # A topic picked from a card may not be among the popular ones: keep it visible and removable.
    topics = [current, *(t for t in popular if t != current)] if current else popular
    return [
        {"topic": t, "active": t == current, "url": _url(params, topic=None if t == current else t)}
        for t in topics
    ]


class CreatorPages(Controller):
    include_in_schema = False

    @get(PATH)
    async def discover(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        merchant: Merchant,
        topic: str | None = Parameter(default=None, max_length=41),
        followers: FollowerRange = "any",
        # A string: the form's "Any" sends an empty value, which a float parameter would refuse.
        min_engagement: str = Parameter(default="", max_length=20),
        q: QueryText = None,
        sort: CreatorSort = CreatorSort.FOLLOWERS,
        cursor: Cursor = None,
    ) -> Template:
        minimum = _engagement(min_engagement)
        filters = _filters(topic, followers, minimum, q, sort)
        creators, next_cursor = await services.discover(db_session, filters, cursor=cursor, limit=PAGE_SIZE)
        params = {
            "topic": filters.topic,
            "followers": followers,
            "min_engagement": f"{minimum:g}" if minimum else None,
            "q": filters.q,
            "sort": sort.value,
        }
        steps = sorted({*ENGAGEMENT_STEPS, *([minimum] if minimum else [])})
        return render(
            "partners/creators.html",
            nav,
            creators=creators,
            filters=filters,
            followers=followers,
            follower_ranges=FOLLOWER_RANGES,
            engagement_steps=steps,
            sorts=SORTS,
            chips=_topic_chips(await services.popular_topics(db_session), params, filters.topic),
            all_topics_url=_url(params, topic=None),
            topic_url=lambda t: _url(params, topic=t),
            more_url=_url(params, cursor=next_cursor) if next_cursor else None,
        )
