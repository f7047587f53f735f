"""Engagement and funnel JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shop.analytics.models import EventType
from shop.core.schemas import MAX_ID, Input, Output

MAX_BATCH = 50


class EventIn(Input):
    type: EventType
    note_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    stream_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)


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
