"""`GET /api/v1/operator/books` (operators only): what `/operator/books` shows, as JSON."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State

from shop.accounts.models import User
from shop.audit.books import read_books
from shop.audit.schemas import BooksOut, books_out
from shop.settings import Settings


class BooksController(Controller):
    path = "/api/v1/operator/books"
    tags = ["operators"]

    @get("/")
    async def books(self, state: State, settings: Settings, operator: User) -> BooksOut:
        return books_out(await read_books(state.sessions, settings.platform_fee_bps))
