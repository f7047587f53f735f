"""Notifications: the inbox rows, the unread count, and a live push on each user's own channel.

Any service that wants to tell someone something calls `Notifier.notify` inside its transaction.
The row is written with that transaction; the push over `user:{id}` is queued with
`after_commit`, so nobody hears about a like that was rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core import clock
from shop.core.db import after_commit, keyset_page
from shop.notifications.models import Notification, NotificationKind

UNREAD_CAP = 99
SUBJECT_MAX = 200

Publish = Callable[[Any, list[str]], None]


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


# Kinds a user can switch off and on again: repeating one must not flood the other's inbox.
TOGGLES = frozenset({NotificationKind.LIKE, NotificationKind.COMMENT_LIKE, NotificationKind.FOLLOW})
TOGGLE_WINDOW = timedelta(days=1)


async def _told_lately(
    db: AsyncSession, recipient_id: int, kind: NotificationKind, actor: User, url: str
) -> bool:
    stmt = select(Notification.id).where(
        Notification.user_id == recipient_id,
        Notification.kind == kind.value,
        Notification.actor_id == actor.id,
        Notification.url == url[:300],
        Notification.created_at > clock.now() - TOGGLE_WINDOW,
    )
    return await db.scalar(stmt.limit(1)) is not None


class Notifier:
    """Built once in `create_app` and injected: it holds the app's own channel publisher."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish

    async def notify(
        self,
        db: AsyncSession,
        recipient_id: int,
        kind: NotificationKind,
        *,
        actor: User | None = None,
        subject: str = "",
        url: str = "",
    ) -> None:
        """One notification; nobody is notified of their own action, and a like, unlike, like again
        within a day (or a follow toggled) tells its recipient once, not each time."""
        if kind in TOGGLES and actor is not None and await _told_lately(db, recipient_id, kind, actor, url):
            return
        await self.notify_many(db, [recipient_id], kind, actor=actor, subject=subject, url=url)

    async def notify_many(
        self,
        db: AsyncSession,
        recipient_ids: Iterable[int],
        kind: NotificationKind,
        *,
        actor: User | None = None,
        subject: str = "",
        url: str = "",
    ) -> int:
        """The same notification to many people in one INSERT (a host going live to thousands)."""
        recipients = sorted({r for r in recipient_ids if actor is None or r != actor.id})
        if not recipients:
            return 0
        now = clock.now()
        subject = subject[:SUBJECT_MAX]
        rows = [
            {
                "user_id": r,
                "kind": kind.value,
                "actor_id": actor.id if actor else None,
                "subject": subject,
                "url": url[:300],
                "created_at": now,
                "updated_at": now,
            }
            for r in recipients
        ]
        await db.execute(insert(Notification), rows)
        message = {
            "type": "notification",
            "kind": kind.value,
            "actor": actor.display_name if actor else None,
            "subject": subject,
            "url": url,
        }
        after_commit(db, lambda: self._push(recipients, message))
        return len(recipients)

    def _push(self, recipients: list[int], message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":"))
        self._publish(data, [user_channel(r) for r in recipients])


async def unread_count(db: AsyncSession, user: User | None) -> int:
    if user is None:
        return 0
    recent = (
        select(Notification.id)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return int(await db.scalar(select(func.count()).select_from(recent)) or 0)


async def inbox(
    db: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> tuple[Sequence[Notification], str | None]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    return await keyset_page(db, stmt, Notification.id, cursor=cursor, limit=limit)


async def mark_read(db: AsyncSession, user: User, up_to_id: int | None = None) -> int:
    """Mark everything (or everything up to an id, so a page never marks what it did not show)."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if up_to_id is not None:
        stmt = stmt.where(Notification.id <= up_to_id)
    result = await db.execute(stmt.values(read_at=clock.now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
