"""People search JSON API: `GET /api/v1/users?q&cursor&limit`."""

from __future__ import annotations

from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryText
from shop.search import services
from shop.search.schemas import PeoplePage, person_out


class PeopleController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]

    @get("/")
    async def search_people(
        self, db_session: AsyncSession, q: QueryText = None, cursor: Cursor = None, limit: Limit = None
    ) -> PeoplePage:
        """People whose name or bio contains every term of `q` (at most 200 characters)."""
        rows, next_cursor = await services.search_people(
            db_session, q=q, cursor=cursor, limit=clamp_limit(limit)
        )
        return PeoplePage(items=[person_out(u) for u in rows], next_cursor=next_cursor)
