"""Creator discovery JSON API: `GET /api/v1/creators` (merchants only)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.pagination import clamp_limit
from shop.core.schemas import PRINTABLE, Cursor, QueryText
from shop.creators import services
from shop.creators.schemas import MAX_ENGAGEMENT, MAX_FOLLOWERS, CreatorPage, CreatorSort, creator_filters


class CreatorController(Controller):
    path = "/api/v1/creators"
    tags = ["partnerships"]

    @get("/")
    async def discover(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        topic: str | None = Parameter(default=None, max_length=41, pattern=PRINTABLE),
        min_followers: int | None = Parameter(default=None, ge=0, le=MAX_FOLLOWERS),
        max_followers: int | None = Parameter(default=None, ge=0, le=MAX_FOLLOWERS),
        min_engagement: float | None = Parameter(default=None, ge=0, le=MAX_ENGAGEMENT),
        q: QueryText = None,
        sort: CreatorSort = CreatorSort.FOLLOWERS,
        cursor: Cursor = None,
        limit: int | None = Parameter(default=None, ge=1, le=50),
    ) -> CreatorPage:
        """Creators (published notes only) for a merchant to send offers to.

        `engagement_rate` is likes + saves + comments per published note of the last 90 days.
        `sort`: followers (default), engagement, or recent (the latest note first).
        """
        filters = creator_filters(
            topic=topic,
            min_followers=min_followers,
            max_followers=max_followers,
            min_engagement=min_engagement,
            q=q,
            sort=sort,
        )
        cards, next_cursor = await services.discover(
            db_session, filters, cursor=cursor, limit=clamp_limit(limit)
        )
        return CreatorPage(items=cards, next_cursor=next_cursor)
