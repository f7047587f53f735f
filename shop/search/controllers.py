"""People search JSON API: `GET /api/v1/users?q&cursor&limit`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from shop.core.pagination import clamp_limit
from shop.search import services
from shop.search.schemas import PeoplePage, person_out

# An opaque cursor is a few dozen characters; anything far longer is not one of ours.
Cursor = Annotated[str | None, Parameter(max_length=200)]


class PeopleController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]

    @get("/")
    async def search_people(
        self, db_session: AsyncSession, q: str | None = None, cursor: Cursor = None, limit: int | None = None
    ) -> PeoplePage:
        """People whose name or bio contains every term of `q` (at most 200 characters)."""
        rows, next_cursor = await services.search_people(
            db_session, q=q, cursor=cursor, limit=clamp_limit(limit)
        )
        return PeoplePage(items=[person_out(u) for u in rows], next_cursor=next_cursor)
