from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shop.core.schemas import Input, Output
from shop.notifications import texts
from shop.notifications.models import Notification


class ActorOut(Output):
    id: int
    display_name: str
    avatar_hue: int


class NotificationOut(Output):
    id: int
    kind: str
    actor: ActorOut | None
    subject: str
    url: str
    read: bool
    created_at: datetime


class NotificationPage(Output):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(Input):
    up_to_id: int | None = Field(default=None, ge=1, le=2**53)


class MarkReadOut(Output):
    marked: int
    unread: int


def notification_out(row: Notification) -> NotificationOut:
    actor = ActorOut.model_validate(row.actor) if row.actor else None
    return NotificationOut(
        id=row.id,
        kind=row.kind,
        actor=actor,
        subject=texts.render(row.kind, row.subject),  # in the reader's language
        url=row.url,
        read=row.read_at is not None,
        created_at=row.created_at,
    )
