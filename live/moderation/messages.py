"""What moderation says in the room, each a sequenced event: chat deleted, chat settings changed,
announcements. A deleted line's stored event keeps its seq (a resuming viewer sees no gap) but
becomes `{"type": "chat_removed", "seq", "ts"}`: no text, no author, and a type the pages ignore,
so the snapshot, `resume` and the replay cannot show it again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.models import Stream, StreamEvent
from live.moderation import log
from shop.accounts.models import User
from shop.core.errors import NotFound

# A deleted line, stored and resumed: no longer "chat", so the snapshot's recent chat skips it.
REMOVED = "chat_removed"


def settings_of(stream: Stream) -> dict[str, Any]:
    return {"slow_mode_s": stream.slow_mode_s, "comments_off": stream.comments_off}


async def _blank(db: AsyncSession, stream: Stream, row: StreamEvent) -> dict[str, Any]:
    row.type = REMOVED
    row.payload = {"type": REMOVED, "seq": row.seq, "ts": row.payload.get("ts")}
    return await services.next_event(db, stream, "chat_deleted", {"target_seq": row.seq})


async def delete_chat(db: AsyncSession, stream: Stream, actor: User, seq: int) -> dict[str, Any]:
    row = await db.scalar(
        select(StreamEvent).where(
            StreamEvent.stream_id == stream.id, StreamEvent.seq == seq, StreamEvent.type == "chat"
        )
    )
    if row is None:
        raise NotFound("No such chat message.")
    author, text = row.author_id, row.payload.get("text")
    event = await _blank(db, stream, row)
    await log.record(
        db, actor, "delete", host_id=stream.host_id, stream=stream, target_user_id=author, seq=seq, text=text
    )
    return event


async def hide_user(db: AsyncSession, stream: Stream, actor: User, user_id: int) -> list[dict[str, Any]]:
    """Delete every line `user_id` wrote in this stream: one chat_deleted event each."""
    rows = (
        await db.scalars(
            select(StreamEvent)
            .where(
                StreamEvent.stream_id == stream.id,
                StreamEvent.author_id == user_id,
                StreamEvent.type == "chat",
            )
            .order_by(StreamEvent.seq)
        )
    ).all()
    events = [await _blank(db, stream, row) for row in rows]
    await log.record(
        db, actor, "hide", host_id=stream.host_id, stream=stream, target_user_id=user_id, deleted=len(events)
    )
    return events


async def set_settings(
    db: AsyncSession, stream: Stream, actor: User, slow_mode_s: int | None, comments_off: bool | None
) -> dict[str, Any]:
    if slow_mode_s is not None:
        stream.slow_mode_s = slow_mode_s
    if comments_off is not None:
        stream.comments_off = comments_off
    await log.record(db, actor, "chat_settings", host_id=stream.host_id, stream=stream, **settings_of(stream))
    return await services.next_event(db, stream, "chat_settings", settings_of(stream))


async def announce(db: AsyncSession, stream: Stream, actor: User, text: str) -> dict[str, Any]:
    await log.record(db, actor, "announce", host_id=stream.host_id, stream=stream, text=text)
    by = {"id": actor.id, "display_name": actor.display_name}
    return await services.next_event(db, stream, "announcement", {"text": text, "by": by})
