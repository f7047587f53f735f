"""Mutes, blocks and moderators: who may act on whom. Services never commit.

The host and a stream's moderators are staff: never muted, blocked or slowed, and a moderator
cannot act against the host or another moderator (403 forbidden). Other people's streams are 404s
(`live.services.hosted_stream`), checked by the controllers before any of this runs.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.models import Stream, StreamModerator
from live.moderation import log, messages
from live.moderation.models import LiveBlock, StreamMute
from shop.accounts.models import User
from shop.core import clock
from shop.core.db import insert_ignoring_conflict
from shop.core.errors import InvalidInput, NotFound, PermissionDenied

DURATIONS: dict[str, int | None] = {"30s": 30, "5m": 300, "stream": None}


async def target(db: AsyncSession, stream: Stream, user_id: int) -> User:
    """The user an action is aimed at: 404 if unknown, 403 if it is the host or a moderator."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", fields={"user_id": "Unknown user."})
    if await services.can_moderate(db, stream, user):
        raise PermissionDenied("The host and moderators cannot be muted, blocked or hidden.")
    return user


def remaining_s(until: datetime | None) -> int | None:
    return None if until is None else max(1, math.ceil((until - clock.now()).total_seconds()))


async def active_mute(db: AsyncSession, stream_id: int, user_id: int) -> StreamMute | None:
    mute = await db.scalar(
        select(StreamMute).where(StreamMute.stream_id == stream_id, StreamMute.user_id == user_id)
    )
    if mute is None or (mute.until is not None and mute.until <= clock.now()):
        return None
    return mute


async def mute(
    db: AsyncSession, stream: Stream, actor: User, user_id: int, duration: str, remove_messages: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Mute (or re-mute, replacing the end); with `remove_messages`, their lines are deleted too."""
    if duration not in DURATIONS:
        raise InvalidInput(fields={"duration": "Use 30s, 5m or stream."})
    user = await target(db, stream, user_id)
    seconds = DURATIONS[duration]
    until = None if seconds is None else clock.now() + timedelta(seconds=seconds)
    values = {"stream_id": stream.id, "user_id": user.id, "until": until}
    if not await insert_ignoring_conflict(db, StreamMute, values):
        row = await db.scalar(
            select(StreamMute).where(StreamMute.stream_id == stream.id, StreamMute.user_id == user.id)
        )
        assert row is not None
        row.until = until
    await log.record(
        db, actor, "mute", host_id=stream.host_id, stream=stream, target_user_id=user.id, duration=duration
    )
    events = await messages.hide_user(db, stream, actor, user.id) if remove_messages else []
    body = {"user_id": user.id, "until": until.isoformat() if until else None, "duration": duration}
    return body, events


async def unmute(db: AsyncSession, stream: Stream, actor: User, user_id: int) -> None:
    gone = await db.execute(
        delete(StreamMute).where(StreamMute.stream_id == stream.id, StreamMute.user_id == user_id)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That user is not muted here.")
    await log.record(db, actor, "unmute", host_id=stream.host_id, stream=stream, target_user_id=user_id)


async def is_blocked(db: AsyncSession, host_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(LiveBlock.id).where(LiveBlock.host_id == host_id, LiveBlock.user_id == user_id)
    )
    return found is not None


async def block(db: AsyncSession, host_id: int, actor: User, user_id: int, stream: Stream | None) -> None:
    """Block for all of the host's streams; from a stream's console, staff of it are refused."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", fields={"user_id": "Unknown user."})
    if user_id == host_id:
        raise PermissionDenied("The host cannot be blocked.")
    if stream is not None:
        await target(db, stream, user_id)
    await insert_ignoring_conflict(db, LiveBlock, {"host_id": host_id, "user_id": user_id})
    await log.record(db, actor, "block", host_id=host_id, stream=stream, target_user_id=user_id)


async def unblock(db: AsyncSession, host: User, user_id: int) -> None:
    gone = await db.execute(
        delete(LiveBlock).where(LiveBlock.host_id == host.id, LiveBlock.user_id == user_id)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That user is not blocked.")
    await log.record(db, host, "unblock", host_id=host.id, target_user_id=user_id)


async def blocks(db: AsyncSession, host_id: int) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(User.id, User.display_name, LiveBlock.created_at)
        .join(LiveBlock, LiveBlock.user_id == User.id)
        .where(LiveBlock.host_id == host_id)
        .order_by(LiveBlock.id.desc())
    )
    return [
        {"user_id": uid, "display_name": name, "blocked_at": at.isoformat()} for uid, name, at in rows.all()
    ]


async def add_moderator(db: AsyncSession, stream: Stream, host: User, user_id: int) -> None:
    await services.add_moderator(db, stream, user_id)
    await log.record(db, host, "moderator_add", host_id=stream.host_id, stream=stream, target_user_id=user_id)


async def remove_moderator(db: AsyncSession, stream: Stream, host: User, user_id: int) -> None:
    gone = await db.execute(
        delete(StreamModerator).where(
            StreamModerator.stream_id == stream.id, StreamModerator.user_id == user_id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That user is not a moderator of this stream.")
    await log.record(
        db, host, "moderator_remove", host_id=stream.host_id, stream=stream, target_user_id=user_id
    )


async def moderators(db: AsyncSession, stream: Stream) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(User.id, User.display_name)
        .join(StreamModerator, StreamModerator.user_id == User.id)
        .where(StreamModerator.stream_id == stream.id)
        .order_by(StreamModerator.id)
    )
    return [{"user_id": uid, "display_name": name} for uid, name in rows.all()]
