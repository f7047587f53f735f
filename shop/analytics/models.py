"""Engagement: the events pages report (append-only) and the daily rollups the dashboard reads.

    POST /api/v1/events ──▶ engagement_events (one INSERT per batch; never updated or deleted)
                                  │  jobs.roll_up: ids above the mark, grouped, upserted
                                  ▼
                            engagement_daily (per day, shop, type, note, product, stream)
                                  │
                                  ▼
                            GET /api/v1/dashboard/funnel (and the other dashboard figures)

Events are derived from nothing and rollups from nothing but events: rebuild the rollups by
emptying them and resetting the mark.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# Ids other tables hand out (BIGINT on PostgreSQL; SQLite's INTEGER is 64-bit already).
ID = BigInteger().with_variant(Integer(), "sqlite")
TYPE_CHECK = "type in ('note_view','tag_tap','product_view','room_join','add_to_cart')"


class EventType(enum.StrEnum):
    NOTE_VIEW = "note_view"
    TAG_TAP = "tag_tap"
    PRODUCT_VIEW = "product_view"
    ROOM_JOIN = "room_join"
    ADD_TO_CART = "add_to_cart"


# How many of one (visitor, day, type, object) count; the rest are dropped. A view or a join
# counts once a day; taps and adds are deliberate acts and may repeat a little.
CAPS: dict[str, int] = {
    EventType.NOTE_VIEW: 1,
    EventType.TAG_TAP: 5,
    EventType.PRODUCT_VIEW: 1,
    EventType.ROOM_JOIN: 1,
    EventType.ADD_TO_CART: 5,
}


class EngagementEvent(BigIntBase):
    """One thing a visitor did, credited to one shop (a note tagging two shops' products makes two rows).

    No audit columns: the row is never updated. `visitor` is a daily-salted HMAC (see
    `visitors.py`), never a user id, session id, IP address or user agent. The two flags say
    whether this was the visitor's first counted event of the day for this object, and in this
    shop: summed by the rollup they are exact distinct-visitor counts without storing who.
    """

    __tablename__ = "engagement_events"

    type: Mapped[str] = mapped_column(String(12))
    merchant_id: Mapped[int] = mapped_column(ID)
    note_id: Mapped[int | None] = mapped_column(ID)
    stream_id: Mapped[int | None] = mapped_column(ID)
    product_id: Mapped[int | None] = mapped_column(ID)
    visitor: Mapped[str] = mapped_column(String(32))
    new_visitor: Mapped[bool]
    new_in_shop: Mapped[bool]
    # The UTC day of `occurred_at` (the server's clock), which is also the visitor hash's salt day.
    day: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (CheckConstraint(TYPE_CHECK, name="type"),)


class EngagementDaily(BigIntBase):
    """Per UTC day, shop, type and object: how many events counted, and by how many visitors.

    Absent objects are 0, not NULL, so the key is unique on both databases (NULLs never collide).
    `visitors`: distinct visitors of this row's object that day. `shop_visitors`: visitors whose
    first event of the day in this shop fell in this row; summed over a shop's rows of one day it
    is that shop's distinct visitors that day (the dashboard's conversion denominator).
    """

    __tablename__ = "engagement_daily"

    merchant_id: Mapped[int] = mapped_column(ID)
    day: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(12))
    note_id: Mapped[int] = mapped_column(ID)
    product_id: Mapped[int] = mapped_column(ID)
    stream_id: Mapped[int] = mapped_column(ID)
    count: Mapped[int]
    visitors: Mapped[int]
    shop_visitors: Mapped[int]

    __table_args__ = (
        CheckConstraint(TYPE_CHECK, name="type"),
        UniqueConstraint(
            "merchant_id", "day", "type", "note_id", "product_id", "stream_id", name="uq_engagement_daily_key"
        ),
    )


class RollupMark(BigIntBase):
    """The high-water mark of a rollup: the last event id it has folded in. Its row is the claim:
    a run holds it locked for the whole transaction that moves it, so two runs never overlap."""

    __tablename__ = "rollup_marks"

    name: Mapped[str] = mapped_column(String(40), unique=True)
    last_id: Mapped[int] = mapped_column(ID)
