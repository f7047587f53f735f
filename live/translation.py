"""Chat lines for `shop.translate`: what a viewer may have translated is what the room shows.

A line is the stream's `chat` event at `seq`; a deleted line was rewritten to `chat_removed`, so it
is not found (404) like a line that never existed. Rooms are public, so is their chat."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import StreamEvent
from shop.accounts.models import User
from shop.translate.sources import Parts


async def chat_lines(db: AsyncSession, _viewer: User, keys: Sequence[Hashable]) -> dict[Hashable, Parts]:
    """keys: (stream_id, seq) pairs."""
    stmt = select(StreamEvent.stream_id, StreamEvent.seq, StreamEvent.payload).where(
        tuple_(StreamEvent.stream_id, StreamEvent.seq).in_(list(keys)), StreamEvent.type == "chat"
    )
    found: dict[Hashable, Parts] = {}
    for row in await db.execute(stmt):
        text = row.payload.get("text") if isinstance(row.payload, dict) else None
        if isinstance(text, str):
            found[(row.stream_id, row.seq)] = [("text", text)]
    return found
