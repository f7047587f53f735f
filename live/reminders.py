""" "Remind me" on a scheduled stream, and who hears that a host went live. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamReminder, StreamStatus
from shop.accounts.models import Follow, User
from shop.core.db import insert_ignoring_conflict
from shop.core.errors import Conflict
from shop.core.i18n import N_
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier


class NotScheduled(Conflict):
    code = "not_scheduled"
    default_message = N_("Reminders are only for streams that have not started.")


async def remind(db: AsyncSession, user: User, stream: Stream) -> bool:
    """Ask to be told when `stream` starts; a repeat is a no-op (the unique pair decides)."""
    if stream.status != StreamStatus.SCHEDULED:
        raise NotScheduled()
    await insert_ignoring_conflict(db, StreamReminder, {"stream_id": stream.id, "user_id": user.id})
    return True


async def forget(db: AsyncSession, user: User, stream: Stream) -> bool:
    if stream.status != StreamStatus.SCHEDULED:
        raise NotScheduled()
    await db.execute(
        delete(StreamReminder).where(StreamReminder.stream_id == stream.id, StreamReminder.user_id == user.id)
    )
    return False


async def reminded(db: AsyncSession, user: User | None, stream_ids: Iterable[int]) -> set[int]:
    """Which of these streams the viewer asked to be reminded of (one query for a whole list)."""
    ids = list(stream_ids)
    if user is None or not ids:
        return set()
    stmt = select(StreamReminder.stream_id).where(
        StreamReminder.user_id == user.id, StreamReminder.stream_id.in_(ids)
    )
    return set(await db.scalars(stmt))


async def reminder_count(db: AsyncSession, stream_id: int) -> int:
    stmt = select(func.count()).select_from(StreamReminder).where(StreamReminder.stream_id == stream_id)
    return int(await db.scalar(stmt) or 0)


async def announce_live(db: AsyncSession, notifier: Notifier, stream: Stream) -> int:
    """Tell the host's followers and everyone with a reminder, once each (a UNION, never twice)."""
    audience = union(
        select(Follow.follower_id).where(Follow.followee_id == stream.host_id),
        select(StreamReminder.user_id).where(StreamReminder.stream_id == stream.id),
    )
    recipients = list(await db.scalars(select(audience.subquery().c[0])))
    host = await db.get(User, stream.host_id)
    return await notifier.notify_many(
        db, recipients, NotificationKind.LIVE, actor=host, subject=stream.title, url=f"/live/{stream.id}"
    )
