"""Notes pages: the discover feed (masonry), topic feeds, search and the note page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.pages import form_errors, render
from shop.core.schemas import QueryText, RowId
from shop.notes import services
from shop.notes.models import NoteStatus
from shop.notes.schemas import CommentIn, CommentOut, note_card_out
from shop.notes.views import json_ld, note_and_following, threads_of
from shop.notifications.services import Notifier

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _feed_page(db: AsyncSession, nav: dict[str, Any], *, q: str | None, topic: str | None) -> Template:
    rows, next_cursor = await services.feed(db, cursor=None, limit=24, q=q, topic=topic)
    cards = [note_card_out(n) for n in rows]
    return render("shop/feed.html", nav, cards=cards, next_cursor=next_cursor, q=q or "", topic=topic or "")


async def _following_page(db: AsyncSession, nav: dict[str, Any], viewer: User | None) -> Template:
    """Notes by the people the viewer follows; signed out, a prompt; nobody followed, suggestions."""
    context: dict[str, Any] = {"cards": [], "next_cursor": None, "q": "", "topic": "", "following": True}
    if viewer is not None:
        rows, context["next_cursor"] = await services.feed(db, cursor=None, limit=24, followed_by=viewer.id)
        context["cards"] = [note_card_out(n) for n in rows]
        if not rows:
            context["suggested"] = await services.suggested_authors(db, viewer)
    return render("shop/feed.html", nav, **context)


async def _note_page(
    db: AsyncSession,
    nav: dict[str, Any],
    viewer: User | None,
    note_id: RowId,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    detail, following = await note_and_following(db, note_id, viewer)
    comments: list[CommentOut] = []
    more = None
    if detail.status == NoteStatus.PUBLISHED:  # a draft (its author's preview) takes no comments
        comments, more = await threads_of(db, viewer, note_id, None, 50)
    return render(
        "shop/note.html",
        nav,
        status_code=status_code,
        note=detail,
        comments=comments,
        more_comments=more,
        following=following,
        errors=errors or {},
        json_ld=json_ld(detail),
    )


class NotePages(Controller):
    include_in_schema = False

    @get("/")
    async def discover(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        current_user: User | None,
        q: QueryText = None,
        topic: QueryText = None,
        feed: str | None = None,
    ) -> Template:
        if feed == "following" and not q and not topic:
            return await _following_page(db_session, nav, current_user)
        return await _feed_page(db_session, nav, q=q, topic=topic)

    @get("/topics/{topic:str}")
    async def topic(self, db_session: AsyncSession, nav: dict[str, Any], topic: str) -> Template:
        return await _feed_page(db_session, nav, q=None, topic=topic)

    @get("/notes/{note_id:int}")
    async def note(
        self, db_session: AsyncSession, nav: dict[str, Any], current_user: User | None, note_id: RowId
    ) -> Template:
        return await _note_page(db_session, nav, current_user, note_id)

    @post("/notes/{note_id:int}/comments")
    async def comment(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        notifier: Notifier,
        note_id: RowId,
        data: Form,
    ) -> Template | Redirect:
        """The composer posts here (a reply carries `parent_id`); we land on the new comment."""
        fields = {"body": data.get("body", ""), "parent_id": data.get("parent_id") or None}
        try:
            comment = CommentIn.model_validate(fields)
        except ValidationError as error:
            return await _note_page(
                db_session, nav, user, note_id, errors=form_errors(error), status_code=422
            )
        added = await services.add_comment(db_session, user, note_id, comment, notifier)
        return Redirect(f"/notes/{note_id}#comment-{added.id}")
