"""What a viewer may send on the room's socket, and how often.

Every frame costs the server something (a parse at least, a DB query for `resume` and `chat`, a
Redis INCRBY for `like`), and one script can send thousands a second. So each socket has budgets,
kept in this process with `time.monotonic()` (a socket lives in one process; a moved wall clock
must not refill them):

- every frame spends a token of the socket's message budget; a frame over budget is answered
  `rate_limited` and not read. Refusals run up a debt, and a socket that keeps flooding until the
  debt is full is closed with 1008 (policy violation);
- likes beyond a few a second are folded, as tap-likes are on TikTok: the tapper sees the heart,
  the room's count does not move, and nothing is sent back;
- `resume` (a query) and `chat` (a query, and the cross-process per-user limit) have budgets of
  their own, so a refused one costs no I/O.

Malformed frames (not JSON, not an object, an unknown type, a wrong field type, too long) are
answered with an error message and the socket stays open.
"""

from __future__ import annotations

import json
import math
import time
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, TypeAdapter, ValidationError

from live import chat
from shop.core.i18n import N_
from shop.core.schemas import Input

MAX_CLIENT_MESSAGE = 2048  # characters of one frame; a chat line is at most chat.MAX_LENGTH
MAX_SEQ = 2**53  # what a browser's JSON number holds exactly

# A person taps a heart 8 to 10 times a second at most: the budget covers that, a script does not.
MESSAGES_PER_S, MESSAGE_BURST = 10.0, 30
FLOOD_DEBT = 60  # refused frames, net of refill, before the socket is closed
LIKES_PER_S, LIKE_BURST = 5.0, 5
# The page asks to resume at most every 2 s (RESUME_RETRY_MS in live-socket.js).
RESUMES_PER_S, RESUME_BURST = 0.5, 2
# The same pace as the per-user limit in live.chat, checked here without a round trip.
CHATS_PER_S, CHAT_BURST = chat.BURST / chat.WINDOW_S, chat.BURST
POLICY_VIOLATION = 1008


class TokenBucket:
    """`burst` tokens, refilled at `rate` a second. With `debt` > 0, refusals also spend, down to
    minus `debt`: a client that keeps sending while refused has to pause longer to recover."""

    __slots__ = ("_stamp", "burst", "floor", "rate", "tokens")

    def __init__(self, rate: float, burst: int, debt: int = 0) -> None:
        self.rate, self.burst, self.floor = rate, float(burst), -float(debt)
        self.tokens, self._stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.tokens = max(self.floor, self.tokens - 1) if self.floor < 0 else self.tokens
        return False

    @property
    def flooded(self) -> bool:
        return self.floor < 0 and self.tokens <= self.floor

    def retry_after(self) -> int:
        """Whole seconds until the next token (at least 1)."""
        return max(1, math.ceil((1 - self.tokens) / self.rate))


class Budgets:
    """One socket's budgets."""

    __slots__ = ("chats", "likes", "messages", "resumes")

    def __init__(self) -> None:
        self.messages = TokenBucket(MESSAGES_PER_S, MESSAGE_BURST, debt=FLOOD_DEBT)
        self.likes = TokenBucket(LIKES_PER_S, LIKE_BURST)
        self.resumes = TokenBucket(RESUMES_PER_S, RESUME_BURST)
        self.chats = TokenBucket(CHATS_PER_S, CHAT_BURST)


def rate_limited(bucket: TokenBucket, message: str) -> dict[str, Any]:
    return {"type": "error", "code": "rate_limited", "message": message, "retry_after": bucket.retry_after()}


class LikeMessage(Input):
    type: Literal["like"]


class ChatMessage(Input):
    type: Literal["chat"]
    text: StrictStr = Field(max_length=MAX_CLIENT_MESSAGE)


class ResumeMessage(Input):
    type: Literal["resume"]
    after_seq: StrictInt = Field(default=0, ge=0, le=MAX_SEQ)


ClientMessage = LikeMessage | ChatMessage | ResumeMessage
_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(Annotated[ClientMessage, Field(discriminator="type")])
KINDS = frozenset({"like", "chat", "resume"})


class BadMessage(Exception):
    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.body: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if fields:
            self.body["fields"] = fields


def parse(text: str) -> ClientMessage:
    """One frame as a client message, or BadMessage saying what is wrong with it."""
    if len(text) > MAX_CLIENT_MESSAGE:
        raise BadMessage("too_long", N_("Message too large."))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting ("[[[[...") overflows the parser's stack
        data = None
    if not isinstance(data, dict):
        raise BadMessage("bad_message", N_('Send a JSON object with a "type".'))
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in KINDS:
        raise BadMessage("unknown_type", N_("Unknown message type: use like, chat or resume."))
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        fields = {".".join(map(str, e["loc"][1:])) or "message": e["msg"] for e in error.errors()}
        raise BadMessage("bad_message", "Some fields are not valid.", fields) from None
