from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.analytics.models import EngagementEvent
from shop.core.db import Base
from shop.deals.models import Deal


class StreamStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class Stream(Base):
    __tablename__ = "streams"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(120))
    playback_url: Mapped[str | None] = mapped_column(String(500), default=None)
    status: Mapped[str] = mapped_column(String(12), default=StreamStatus.SCHEDULED.value)
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    pinned_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), default=None
    )
    # As on notes: a declared label, or the deal the stream fulfils ("Paid partnership with {brand}").
    disclosure_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL", use_alter=True), default=None
    )
    # The last sequence number handed out: every process takes the next one with UPDATE … RETURNING.
    seq: Mapped[int] = mapped_column(default=0)
    # Chat settings (`live.moderation`): one message per N seconds per viewer (0 = off), or none at all.
    slow_mode_s: Mapped[int] = mapped_column(default=0, server_default="0")
    comments_off: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    deal: Mapped[Deal | None] = relationship(Deal, lazy="selectin", foreign_keys=[deal_id])

    __table_args__ = (Index("ix_streams_status", "status", "id"),)


class StreamProduct(Base):
    """The shelf: products shown in the room, in the host's order."""

    __tablename__ = "stream_products"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("stream_id", "product_id", name="uq_stream_products"),)


class StreamModerator(Base):
    __tablename__ = "stream_moderators"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("stream_id", "user_id", name="uq_stream_moderators"),)


class StreamReminder(Base):
    """A viewer's "Remind me" on a scheduled stream: notified when the host goes live."""

    __tablename__ = "stream_reminders"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("stream_id", "user_id", name="uq_stream_reminders"),)


class StreamEvent(Base):
    """The room's log, by sequence number: what a reconnecting viewer missed, and the replay's chapters."""

    __tablename__ = "stream_events"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The author of a chat line: a moderator removes all of one user's lines by it (`/hide`).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)

    __table_args__ = (
        UniqueConstraint("stream_id", "seq", name="uq_stream_events_seq"),
        Index("ix_stream_events_author", "stream_id", "author_id"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )


class StreamSample(BigIntBase):
    """The room every 10 s while it is live: viewers now and the likes total so far (`live.sampler`).

    Written once, never updated, so no audit columns. `at` is the start of the sample's 10-second
    slot and unique per stream: app processes that all run the sampler write one row per slot.
    """

    __tablename__ = "stream_samples"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    viewers: Mapped[int]
    likes: Mapped[int]

    __table_args__ = (
        UniqueConstraint("stream_id", "at", name="uq_stream_samples_slot"),
        CheckConstraint("viewers >= 0 AND likes >= 0", name="counts_nonneg"),
    )


# A stream's analytics read that stream's engagement rows (joins, taps), and nothing else reads
# them by stream: the index lives beside its one reader. Partial: note events carry no stream.
Index(
    "ix_engagement_events_stream",
    EngagementEvent.stream_id,
    EngagementEvent.occurred_at,
    postgresql_where=EngagementEvent.stream_id.is_not(None),
    sqlite_where=EngagementEvent.stream_id.is_not(None),
)
