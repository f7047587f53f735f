"""Studio pages: the author's notes (/studio) and the composer (new note, edit a note)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.pages import render
from shop.core.schemas import Cursor, RowId
from shop.notes import editing
from shop.studio import services
from shop.studio.schemas import studio_note_out
from shop.studio.views import composer_state, partnership_summary


class StudioPages(Controller):
    include_in_schema = False

    @get("/studio")
    async def home(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        cursor: Cursor = None,
        deleted: bool = False,
    ) -> Template:
        rows, next_cursor = await services.own_notes(db_session, user, cursor=cursor, limit=30)
        notes = [studio_note_out(n) for n in rows]
        deals, earnings = await partnership_summary(db_session, user)
        return render(
            "studio/home.html",
            nav,
            notes=notes,
            next_cursor=next_cursor,
            deleted=deleted,
            deals=deals,
            earnings=earnings,
        )

    @get("/studio/new")
    async def new(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        deal_id: int | None = Parameter(default=None, ge=1, le=2**53),
    ) -> Template:
        state = await composer_state(db_session, user, None, deal_id)
        return render("studio/composer.html", nav, state=state)

    @get("/studio/notes/{note_id:int}/edit")
    async def edit(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, note_id: RowId
    ) -> Template:
        state = await composer_state(db_session, user, note_id)
        return render("studio/composer.html", nav, state=state)

    @post("/studio/notes/{note_id:int}/delete")
    async def delete(self, db_session: AsyncSession, user: User, note_id: RowId) -> Redirect:
        """The studio list's Delete button (a form, so it works before the scripts load)."""
        await editing.delete_note(db_session, user, note_id)
        return Redirect("/studio?deleted=1")
