"""Chat: signed-in users only, length-limited, rate-limited per user across processes, stored in the
room's log (so it replays) and broadcast as text. Pages render it with textContent, never as HTML.

Moderation (`live.moderation`) sits in the same path for the API and the socket: staff commands,
then blocks, mutes, comments off and slow mode, then the host's keyword list (a matching line is
kept from the room and answered to its author only, "only visible to you").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.models import StreamStatus
from live.moderation import commands, gate, keywords, log
from shop.accounts.models import User
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, RateLimited
from shop.core.i18n import N_
from shop.core.ratelimit import AttemptCounter

MAX_LENGTH = 200
BURST, WINDOW_S = 5, 5


@dataclass
class Said:
    """What a line became: public chat, a line only its author sees, or a staff command."""

    kind: Literal["chat", "private", "command"]
    reply: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)


async def say(db: AsyncSession, attempts: AttemptCounter, user: User, stream_id: int, text: str) -> Said:
    text = " ".join(text.split())
    if not text:
        raise InvalidInput(fields={"text": "Say something."})
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            N_("Chat messages are at most %(n)s characters.", n=MAX_LENGTH), fields={"text": "Too long."}
        )
    if await attempts.hit(f"chat:{stream_id}:{user.id}", WINDOW_S) > BURST:
        raise RateLimited("Slow down: at most 5 messages every 5 seconds.", retry_after=WINDOW_S)
    stream = await services.get_stream(db, stream_id)
    if stream.status == StreamStatus.ENDED:
        raise Conflict("The stream has ended.")
    staff = await services.can_moderate(db, stream, user)
    if staff and (command := commands.parse(text)):
        done = await commands.run(db, stream, user, *command)
        return Said("command", {"type": "command", **done.reply}, done.events)
    if not staff:
        await gate.check(db, stream, user)
    await gate.take_turn(db, stream, user.id, 0 if staff else stream.slow_mode_s)
    author = {"id": user.id, "display_name": user.display_name}
    if not staff and keywords.matches(text, await keywords.words_of(db, stream.host_id)):
        await log.record(
            db,
            user,
            "keyword_blocked",
            host_id=stream.host_id,
            stream=stream,
            target_user_id=user.id,
            text=text,
        )
        private = {"type": "chat", "ts": clock.timestamp(), "user": author, "text": text}
        return Said("private", {**private, "only_visible_to_you": True})
    message = await services.next_event(db, stream, "chat", {"user": author, "text": text}, author_id=user.id)
    return Said("chat", message, [message])


async def post(
    db: AsyncSession, attempts: AttemptCounter, user: User, stream_id: int, text: str
) -> dict[str, Any]:
    """A line said where no one moderates (the demo's scripted rooms): what its author is answered."""
    return (await say(db, attempts, user, stream_id, text)).reply
