"""Engagement and funnel JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shop.analytics.models import EventType
from shop.core.schemas import Input, Output

MAX_BATCH = 50
# An object id, bounded like every id a client sends (a 40-digit id is a 422, not a driver overflow).
ObjectId = Annotated[int, Field(ge=1, le=2**53)]


class EventIn(Input):
    type: EventType
    note_id: ObjectId | None = None
    stream_id: ObjectId | None = None
    product_id: ObjectId | None = None


class EventsIn(Input):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class EventsOut(Output):
    accepted: int
    dropped: int


class StepOut(Output):
    name: Literal["note_views", "tag_taps", "product_views", "add_to_cart", "paid"]
    count: int


class FunnelOut(Output):
    period: str
    first_day: str
    last_day: str
    note_id: int | None
    steps: list[StepOut]
