"""Replays: the room's log after the stream, plus product chapters cut from pins and sales."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamEvent
from live.moderation.messages import REMOVED

CHAPTER_EVENTS = ("pin", "flash_sale")


async def replay(db: AsyncSession, stream: Stream, limit: int = 2000) -> dict[str, Any]:
    rows = (
        await db.scalars(
            select(StreamEvent)
            .where(StreamEvent.stream_id == stream.id)
            .order_by(StreamEvent.seq)
            .limit(limit)
        )
    ).all()
    # A deleted chat line keeps its place in the log, blanked; the replay leaves it out altogether.
    events = [dict(row.payload) for row in rows if row.type != REMOVED]
    started = stream.started_at.timestamp() if stream.started_at else (events[0]["ts"] if events else 0.0)
    chapters: list[dict[str, Any]] = []
    for event in events:
        product = _chapter_product(event)
        if product is None or (chapters and chapters[-1]["product_id"] == product["id"]):
            continue
        chapters.append(
            {
                "at_s": max(0, round(event["ts"] - started)),
                "product_id": product["id"],
                "title": product["name"],
            }
        )
    return {"events": events, "chapters": chapters}


def _chapter_product(event: dict[str, Any]) -> dict[str, Any] | None:
    if event.get("type") == "pin":
        return dict(event["product"])
    if event.get("type") == "flash_sale" and event.get("product"):
        return dict(event["product"])
    return None
