"""Chat: signed-in users only, length-limited, rate-limited per user across processes, stored in the
room's log (so it replays) and broadcast as text. Pages render it with textContent, never as HTML."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.models import StreamStatus
from shop.accounts.models import User
from shop.core.errors import Conflict, InvalidInput, RateLimited
from shop.core.ratelimit import AttemptCounter

MAX_LENGTH = 200
BURST, WINDOW_S = 5, 5


async def post(
    db: AsyncSession, attempts: AttemptCounter, user: User, stream_id: int, text: str
) -> dict[str, Any]:
    text = " ".join(text.split())
    if not text:
        raise InvalidInput(fields={"text": "Say something."})
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            f"Chat messages are at most {MAX_LENGTH} characters.", fields={"text": "Too long."}
        )
    if await attempts.hit(f"chat:{stream_id}:{user.id}", WINDOW_S) > BURST:
        raise RateLimited("Slow down: at most 5 messages every 5 seconds.", retry_after=WINDOW_S)
    stream = await services.get_stream(db, stream_id)
    if stream.status == StreamStatus.ENDED:
        raise Conflict("The stream has ended.")
    author = {"id": user.id, "display_name": user.display_name}
    return await services.next_event(db, stream, "chat", {"user": author, "text": text})
