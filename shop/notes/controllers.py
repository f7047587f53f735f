"""Notes JSON API: the feed, note detail, uploads, posting, likes, saves and comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.errors import AuthenticationRequired
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryId, QueryText, RowId
from shop.core.storage import ImageStore, media_url
from shop.notes import editing, services
from shop.notes.schemas import (
    CommentIn,
    CommentOut,
    CommentPage,
    NoteEditIn,
    NoteIn,
    NoteOut,
    NotePage,
    ToggleOut,
    UploadOut,
    comment_out,
    note_card_out,
)
from shop.notes.views import comment_threads, note_detail
from shop.notifications.services import Notifier

CommentId = Annotated[int, Parameter(ge=1, le=2**53)]


class NoteController(Controller):
    path = "/api/v1/notes"
    tags = ["notes"]

    @get("/")
    async def feed(
        self,
        db_session: AsyncSession,
        cursor: Cursor = None,
        limit: Limit = None,
        q: QueryText = None,
        topic: QueryText = None,
        author_id: QueryId = None,
        following: bool = False,
        current_user: User | None = None,
    ) -> NotePage:
        if following and current_user is None:
            raise AuthenticationRequired("Sign in to see notes from people you follow.")
        followed_by = current_user.id if following and current_user else None
        rows, next_cursor = await services.feed(
            db_session,
            cursor=cursor,
            limit=clamp_limit(limit),
            q=q,
            topic=topic,
            author_id=author_id,
            followed_by=followed_by,
        )
        return NotePage(items=[note_card_out(n) for n in rows], next_cursor=next_cursor)

    @get("/{note_id:int}")
    async def detail(self, db_session: AsyncSession, current_user: User | None, note_id: RowId) -> NoteOut:
        return await note_detail(db_session, note_id, current_user)

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, db_session: AsyncSession, user: User, notifier: Notifier, data: NoteIn) -> NoteOut:
        note = await editing.create_note(db_session, user, data, notifier)
        return await note_detail(db_session, note.id, user)

    @patch("/{note_id:int}")
    async def edit(
        self, db_session: AsyncSession, user: User, notifier: Notifier, note_id: RowId, data: NoteEditIn
    ) -> NoteOut:
        """The author edits (or publishes a draft); anybody else's note is a 404."""
        note = await editing.edit_note(db_session, user, note_id, data, notifier)
        return await note_detail(db_session, note.id, user)

    @delete("/{note_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db_session: AsyncSession, user: User, note_id: RowId) -> None:
        await editing.delete_note(db_session, user, note_id)

    @post("/{note_id:int}/like", status_code=HTTP_200_OK)
    async def like(
        self, db_session: AsyncSession, user: User, notifier: Notifier, note_id: RowId
    ) -> ToggleOut:
        liked = await services.set_reaction(
            db_session, user, note_id, kind="like", on=True, notifier=notifier
        )
        return self._toggle(*liked)

    @delete("/{note_id:int}/like", status_code=HTTP_200_OK)
    async def unlike(self, db_session: AsyncSession, user: User, note_id: RowId) -> ToggleOut:
        return self._toggle(*await services.set_reaction(db_session, user, note_id, kind="like", on=False))

    @post("/{note_id:int}/save", status_code=HTTP_200_OK)
    async def save(self, db_session: AsyncSession, user: User, note_id: RowId) -> ToggleOut:
        return self._toggle(*await services.set_reaction(db_session, user, note_id, kind="save", on=True))

    @delete("/{note_id:int}/save", status_code=HTTP_200_OK)
    async def unsave(self, db_session: AsyncSession, user: User, note_id: RowId) -> ToggleOut:
        return self._toggle(*await services.set_reaction(db_session, user, note_id, kind="save", on=False))

    @staticmethod
    def _toggle(active: bool, count: int) -> ToggleOut:
        return ToggleOut(active=active, count=count)

    @get("/{note_id:int}/comments")
    async def comments(
        self,
        db_session: AsyncSession,
        current_user: User | None,
        note_id: RowId,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> CommentPage:
        """Top-level comments, oldest first, each with its replies (one level) and the viewer's likes."""
        items, next_cursor = await comment_threads(
            db_session, current_user, note_id, cursor, clamp_limit(limit)
        )
        return CommentPage(items=items, next_cursor=next_cursor)

    @post("/{note_id:int}/comments", status_code=HTTP_201_CREATED)
    async def comment(
        self, db_session: AsyncSession, user: User, notifier: Notifier, note_id: RowId, data: CommentIn
    ) -> CommentOut:
        return comment_out(await services.add_comment(db_session, user, note_id, data, notifier))


class CommentController(Controller):
    path = "/api/v1/comments"
    tags = ["notes"]

    @post("/{comment_id:int}/like", status_code=HTTP_200_OK)
    async def like(
        self, db_session: AsyncSession, user: User, notifier: Notifier, comment_id: CommentId
    ) -> ToggleOut:
        active, count = await services.set_comment_like(
            db_session, user, comment_id, on=True, notifier=notifier
        )
        return ToggleOut(active=active, count=count)

    @delete("/{comment_id:int}/like", status_code=HTTP_200_OK)
    async def unlike(self, db_session: AsyncSession, user: User, comment_id: CommentId) -> ToggleOut:
        active, count = await services.set_comment_like(db_session, user, comment_id, on=False)
        return ToggleOut(active=active, count=count)


@dataclass
class UploadForm:
    """The multipart body: one image in the field `file` (a model, so the OpenAPI schema names it)."""

    file: UploadFile


class UploadController(Controller):
    path = "/api/v1/uploads"
    tags = ["notes"]

    @post("/", status_code=HTTP_201_CREATED)
    async def upload(
        self,
        db_session: AsyncSession,
        user: User,
        image_store: ImageStore,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> UploadOut:
        upload = await services.store_upload(db_session, image_store, user, await data.file.read())
        return UploadOut(
            upload_id=upload.id, url=media_url(upload.key), width=upload.width, height=upload.height
        )
