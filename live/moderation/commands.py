"""Chat commands typed by the host or a moderator: `/slow N`, `/mute @name 30s|5m|stream`,
`/announce text` and `/hide @name`. From anyone else (or unknown) they are plain chat.

`@name` is a display name among the stream's chatters (the most recent one wins), or `@id`.
A command is never stored as chat: it answers its issuer, and publishes what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream
from live.moderation import messages, services
from live.moderation.models import StreamChatter
from shop.accounts.models import User
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import N_

MAX_SLOW_S = 300
NAMES = ("slow", "mute", "announce", "hide")


@dataclass
class Done:
    """The issuer's answer (`{"command": "slow", ...}`) and the room events to publish."""

    reply: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)


def parse(text: str) -> tuple[str, str] | None:
    """("slow", "30") for "/slow 30"; None when the line is not a command."""
    if not text.startswith("/"):
        return None
    name, _, rest = text[1:].partition(" ")
    return (name, rest.strip()) if name in NAMES else None


async def run(db: AsyncSession, stream: Stream, actor: User, name: str, rest: str) -> Done:
    if name == "slow":
        if not rest.isdigit() or int(rest) > MAX_SLOW_S:
            raise InvalidInput(N_("Use /slow N, N from 0 to %(n)s seconds (0 turns it off).", n=MAX_SLOW_S))
        event = await messages.set_settings(db, stream, actor, int(rest), None)
        return Done({"command": "slow", "slow_mode_s": int(rest)}, [event])
    if name == "announce":
        if not rest:
            raise InvalidInput("Use /announce followed by the text.")
        event = await messages.announce(db, stream, actor, rest)
        return Done({"command": "announce", "seq": event["seq"], "text": rest}, [event])
    if name == "mute":
        who, _, duration = rest.rpartition(" ")
        if duration not in services.DURATIONS:
            raise InvalidInput("Use /mute @name 30s, 5m or stream.")
        user = await _named(db, stream, who)
        body, events = await services.mute(db, stream, actor, user.id, duration, remove_messages=False)
        return Done({"command": "mute", **body, "display_name": user.display_name}, events)
    user = await _named(db, stream, rest)
    events = await messages.hide_user(db, stream, actor, (await services.target(db, stream, user.id)).id)
    return Done({"command": "hide", "user_id": user.id, "deleted": len(events)}, events)


async def _named(db: AsyncSession, stream: Stream, who: str) -> User:
    """`@Display Name` among this stream's chatters, else `@42` as a user id."""
    name = who.strip().removeprefix("@").strip()
    if not name:
        raise InvalidInput("Name someone: @name.")
    found = await db.scalar(
        select(User)
        .join(StreamChatter, StreamChatter.user_id == User.id)
        .where(StreamChatter.stream_id == stream.id, func.lower(User.display_name) == name.lower())
        .order_by(StreamChatter.last_chat_at.desc())
        .limit(1)
    )
    if found is None and name.isdigit() and len(name) <= 16:
        found = await db.get(User, int(name))
    if found is None:
        raise NotFound(N_("No one called @%(name)s has chatted here.", name=name))
    return found
