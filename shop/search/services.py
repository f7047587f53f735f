"""People search: names and bios, through the same index-backed search as notes and products."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core import search
from shop.core.db import keyset_page


async def search_people(
    db: AsyncSession, *, q: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[User], str | None]:
    """Everyone whose name or bio holds every term (newest accounts first); everyone without terms."""
    stmt: Select[User] = select(User)
    # (display_name, bio): the expression migration 0007 indexed, lower(display_name || ' ' || bio).
    if (condition := search.matches_all((User.display_name, User.bio), q)) is not None:
        stmt = stmt.where(condition)
    return await keyset_page(db, stmt, User.id, cursor=cursor, limit=limit)
