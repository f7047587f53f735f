"""The moderation log: one row per action, read newest first by the stream's host and moderators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream
from live.moderation.models import ModerationAction
from shop.accounts.models import User
from shop.core import clock


async def record(
    db: AsyncSession,
    actor: User,
    action: str,
    *,
    host_id: int,
    stream: Stream | None = None,
    target_user_id: int | None = None,
    **detail: Any,
) -> None:
    db.add(
        ModerationAction(
            stream_id=stream.id if stream else None,
            host_id=host_id,
            actor_id=actor.id,
            action=action,
            target_user_id=target_user_id,
            detail=detail,
            at=clock.now(),
        )
    )
    await db.flush()


async def entries(db: AsyncSession, stream: Stream, limit: int) -> list[dict[str, Any]]:
    """This stream's actions and the host's stream-less ones (blocks, keywords), newest first."""
    stmt = (
        select(ModerationAction)
        .where(
            or_(
                ModerationAction.stream_id == stream.id,
                and_(ModerationAction.stream_id.is_(None), ModerationAction.host_id == stream.host_id),
            )
        )
        .order_by(ModerationAction.id.desc())
        .limit(limit)
    )
    rows = (await db.scalars(stmt)).all()
    ids = {r.actor_id for r in rows} | {r.target_user_id for r in rows if r.target_user_id}
    names: dict[int, str] = {}
    for uid, name in await db.execute(select(User.id, User.display_name).where(User.id.in_(ids))):
        names[uid] = name
    return [
        {
            "id": row.id,
            "stream_id": row.stream_id,
            "action": row.action,
            "actor": {"id": row.actor_id, "display_name": names.get(row.actor_id, "")},
            "target": (
                {"id": row.target_user_id, "display_name": names.get(row.target_user_id, "")}
                if row.target_user_id
                else None
            ),
            "detail": dict(row.detail or {}),
            "at": row.at.isoformat(),
        }
        for row in rows
    ]
