"""Notifications JSON API, and the per-user websocket that pushes new ones as they happen."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import User
from shop.accounts.sessions import session_user
from shop.core import i18n
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit
from shop.core.security import origin_allowed
from shop.notifications import services, texts
from shop.notifications.schemas import MarkReadIn, MarkReadOut, NotificationPage, notification_out
from shop.settings import Settings


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/")
    async def list_notifications(
        self, db_session: AsyncSession, user: User, cursor: Cursor = None, limit: Limit = None
    ) -> NotificationPage:
        rows, next_cursor = await services.inbox(db_session, user, cursor=cursor, limit=clamp_limit(limit))
        unread = await services.unread_count(db_session, user)
        return NotificationPage(
            items=[notification_out(r) for r in rows], next_cursor=next_cursor, unread=unread
        )

    @post("/read", status_code=HTTP_200_OK)
    async def mark_read(self, db_session: AsyncSession, user: User, data: MarkReadIn) -> MarkReadOut:
        marked = await services.mark_read(db_session, user, data.up_to_id)
        return MarkReadOut(marked=marked, unread=await services.unread_count(db_session, user))


RECHECK_S = 60.0


@websocket("/notifications/ws")
async def notification_socket(
    socket: WebSocket[Any, Any, Any], channels: ChannelsPlugin, settings: Settings
) -> None:
    """Signed-in browsers only (session cookie, Origin checked); the server only ever talks.

    The session is checked again every `RECHECK_S`: a browser signed out from another device (or
    by a password change) stops hearing within that time. Refusals close after accepting, so the
    browser sees the 44xx code (a close before accepting reaches it as 1006) and stops retrying.
    """
    await socket.accept()
    if not origin_allowed(socket, settings):
        await socket.close(code=4403, reason="origin not allowed")
        return
    sessions: async_sessionmaker[AsyncSession] = socket.app.state["sessions"]
    user_id = await _signed_in_user(sessions, socket)
    if user_id is None:
        await socket.close(code=4401, reason="sign in first")
        return

    async def forward(raw: bytes) -> None:
        await socket.send_text(texts.render_push(raw.decode()))  # in this browser's language

    async with channels.start_subscription([services.user_channel(int(user_id))]) as subscriber:
        try:
            async with subscriber.run_in_background(forward, join=False):
                while True:  # keep reading so a closed socket ends the subscription
                    try:
                        await asyncio.wait_for(socket.receive_text(), timeout=RECHECK_S)
                    except TimeoutError:
                        if await _signed_in_user(sessions, socket) != user_id:
                            await socket.close(code=4401, reason="signed out")
                            return
        except (WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
            pass


async def _signed_in_user(
    sessions: async_sessionmaker[AsyncSession], socket: WebSocket[Any, Any, Any]
) -> int | None:
    """The same rule as every page: a revoked (signed-out-elsewhere) session is nobody."""
    async with sessions() as db:
        user = await session_user(db, socket.scope.get("session"))
    if user is not None:
        i18n.apply_user_preference(user.locale)  # the pushes' words, as on this user's pages
    return user.id if user is not None else None
