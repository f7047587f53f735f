"""May this line be said? Checked on every chat line, API or socket, in the line's transaction.

Staff (the host and the stream's moderators) pass everything. Anyone else, in order: blocked by the
host, muted here, comments off, slow mode. Slow mode's clock is the viewer's row in
`stream_chatters`, moved by one conditional UPDATE: two processes taking the same viewer's line at
once cannot both pass.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream
from live.moderation import services
from live.moderation.errors import Blocked, CommentsOff, Muted, SlowMode
from live.moderation.models import StreamChatter
from shop.accounts.models import User
from shop.core import clock
from shop.core.db import insert_ignoring_conflict
from shop.core.i18n import N_


async def check(db: AsyncSession, stream: Stream, user: User) -> None:
    if await services.is_blocked(db, stream.host_id, user.id):
        raise Blocked()
    if (mute := await services.active_mute(db, stream.id, user.id)) is not None:
        retry = services.remaining_s(mute.until)
        message = N_("You are muted for the rest of this stream.") if retry is None else N_("You are muted.")
        raise Muted(message, retry_after=retry)
    if stream.comments_off:
        raise CommentsOff()


async def take_turn(db: AsyncSession, stream: Stream, user_id: int, slow_mode_s: int) -> None:
    """Stamp the viewer's last line; in slow mode, only if the last one is old enough (429 else)."""
    now = clock.now()
    where = [StreamChatter.stream_id == stream.id, StreamChatter.user_id == user_id]
    if slow_mode_s:
        where.append(StreamChatter.last_chat_at <= now - timedelta(seconds=slow_mode_s))
    moved = await db.execute(update(StreamChatter).where(*where).values(last_chat_at=now))
    if moved.rowcount:  # type: ignore[attr-defined]
        return
    values = {"stream_id": stream.id, "user_id": user_id, "last_chat_at": now}
    if await insert_ignoring_conflict(db, StreamChatter, values) or not slow_mode_s:
        return
    last = await db.scalar(
        select(StreamChatter.last_chat_at).where(
            StreamChatter.stream_id == stream.id, StreamChatter.user_id == user_id
        )
    )
    wait = slow_mode_s if last is None else (last + timedelta(seconds=slow_mode_s) - now).total_seconds()
    retry = max(1, math.ceil(wait))
    raise SlowMode(
        N_("Slow mode: one message every %(every)s s. Wait %(wait)s s.", every=slow_mode_s, wait=retry),
        retry_after=retry,
    )
