"""`/operator/books`: the audit's findings (green or red), fee income and money on the move."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.datastructures import State
from litestar.response import Template

from shop.accounts.models import User
from shop.audit.books import read_books
from shop.core.pages import render
from shop.settings import Settings


class BooksPages(Controller):
    path = "/operator/books"
    include_in_schema = False

    @get("/")
    async def books(self, state: State, nav: dict[str, Any], settings: Settings, operator: User) -> Template:
        books = await read_books(state.sessions, settings.platform_fee_bps)
        widest = max([*books.transfers.values(), *books.reversals.values(), 1])
        return render("operator/books.html", nav, section="books", books=books, widest=widest)
