from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shop.core.schemas import Id, Input, Output

Keyword = Annotated[str, Field(min_length=1, max_length=50)]


class MuteIn(Input):
    user_id: Id
    duration: Literal["30s", "5m", "stream"]
    remove_messages: bool = False


class MuteOut(Output):
    user_id: int
    until: str | None
    duration: str


class BlockIn(Input):
    user_id: Id


class KeywordsIn(Input):
    words: list[Keyword] = Field(max_length=200)


class KeywordsOut(Output):
    words: list[str]


class ChatSettingsIn(Input):
    """Either or both; what is left out stays as it is."""

    slow_mode_s: int | None = Field(default=None, ge=0, le=300)
    comments_off: bool | None = None


class ChatSettingsOut(Output):
    slow_mode_s: int
    comments_off: bool
