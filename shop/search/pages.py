"""The search page: `/search?q&tab=notes|products|people`, one tab's results at a time."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog import services as catalog
from shop.core import search
from shop.core.errors import InvalidInput
from shop.core.pages import render
from shop.core.schemas import Cursor
from shop.notes import services as notes
from shop.notes.schemas import note_card_out
from shop.search import services

TABS = ("notes", "products", "people")
PAGE_SIZE = 24


async def _results(db: AsyncSession, tab: str, q: str, cursor: str | None) -> tuple[list[Any], str | None]:
    if tab == "products":
        products, more = await catalog.list_products(
            db, q=q, merchant_id=None, cursor=cursor, limit=PAGE_SIZE
        )
        return list(products), more
    if tab == "people":
        people, more = await services.search_people(db, q=q, cursor=cursor, limit=PAGE_SIZE)
        return list(people), more
    found, more = await notes.feed(db, cursor=cursor, limit=PAGE_SIZE, q=q)
    return [note_card_out(n) for n in found], more


class SearchPages(Controller):
    include_in_schema = False

    @get("/search")
    async def search_page(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        q: str = "",
        tab: str = "notes",
        cursor: Cursor = None,
    ) -> Template:
        tab = tab if tab in TABS else "notes"
        q = q.strip()
        items: list[Any] = []
        next_cursor = None
        error = None
        try:
            if search.terms(q):
                items, next_cursor = await _results(db_session, tab, q, cursor)
        except InvalidInput as problem:
            # Keep the page (and the box) and say what is wrong, rather than an error page.
            error = problem.fields.get("q") or problem.fields.get("cursor") or problem.message
        return render(
            "shop/search.html",
            nav,
            status_code=422 if error else 200,
            q=q[: search.MAX_QUERY_CHARS],
            tab=tab,
            tabs=TABS,
            items=items,
            next_cursor=next_cursor,
            error=error,
        )
