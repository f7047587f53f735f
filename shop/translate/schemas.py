"""POST /api/v1/translate: which texts (by kind and id, never the text itself) into which language."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shop.core.schemas import MAX_ID, Input, Output

# A live room's chat arrives in bursts: one call carries at most this many lines.
MAX_ITEMS = 50
# What one request may weigh: its items are ids, so anything bigger is not a real client.
MAX_BODY_BYTES = 16 * 1024

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class NoteRef(Input):
    kind: Literal["note"]
    id: Id


class CommentRef(Input):
    kind: Literal["comment"]
    id: Id


class ChatRef(Input):
    """A chat line is the room's event `seq` in stream `stream_id` (what the room's socket shows)."""

    kind: Literal["chat"]
    stream_id: Id
    seq: Id


Ref = Annotated[NoteRef | CommentRef | ChatRef, Field(discriminator="kind")]


class TranslateIn(Input):
    items: list[Ref] = Field(min_length=1, max_length=MAX_ITEMS)
    target: Literal["en", "zh_Hans"]


class PieceOut(Output):
    """One text: a note's title or body, a comment's or a chat line's text.

    `status`: translated (`text` is the translation), unchanged (`reason` same_language or
    no_words: nothing was sent) or failed (`reason` text_too_long, unreachable, timeout,
    provider_error, bad_response: `text` is the original). Plain text: render it as text."""

    kind: Literal["note", "comment", "chat"]
    id: int | None = None
    stream_id: int | None = None
    seq: int | None = None
    part: Literal["title", "body", "text"]
    status: Literal["translated", "unchanged", "failed"]
    text: str
    original: str
    source: str | None
    reason: str | None = None


class TranslateOut(Output):
    target: str
    provider: str
    items: list[PieceOut]
