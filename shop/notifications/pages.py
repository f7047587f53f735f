"""The notifications page: newest first; opening it marks what it shows as read."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.pages import render
from shop.core.schemas import Cursor
from shop.notifications import services, texts

PAGE_SIZE = 50


class NotificationPages(Controller):
    include_in_schema = False

    @get("/notifications")
    async def inbox(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, cursor: Cursor = None
    ) -> Template:
        rows, next_cursor = await services.inbox(db_session, user, cursor=cursor, limit=PAGE_SIZE)
        # Which ones are new is decided before marking, so the page can highlight them.
        unread_ids = {r.id for r in rows if r.read_at is None}
        if rows:
            await services.mark_read(db_session, user, up_to_id=rows[0].id)
        nav = {**nav, "unread": 0}
        subjects = {r.id: texts.render(r.kind, r.subject) for r in rows}  # in the reader's language
        return render(
            "shop/notifications.html",
            nav,
            items=rows,
            subjects=subjects,
            unread_ids=unread_ids,
            next_cursor=next_cursor,
        )
