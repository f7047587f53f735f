"""Moderation state. Mutes, blocks and marks are read on every chat line, by whichever process
takes it: they live in the DB (not in a process), and expiry compares against `shop.core.clock`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.db import Base


class StreamMute(Base):
    """A viewer muted in one stream until `until` (None: for the rest of the stream)."""

    __tablename__ = "stream_mutes"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    __table_args__ = (UniqueConstraint("stream_id", "user_id", name="uq_stream_mutes"),)


class LiveBlock(Base):
    """A host's block: the user still watches the host's streams, but cannot chat or like there."""

    __tablename__ = "live_blocks"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("host_id", "user_id", name="uq_live_blocks"),)


class LiveKeywords(Base):
    """A host's blocked words, as the host typed them (matching normalises both sides)."""

    __tablename__ = "live_keywords"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    words: Mapped[list[str]] = mapped_column(JSON)


class StreamChatter(Base):
    """Who chatted in a stream and when last: slow mode's clock, and the names `/mute @name` finds."""

    __tablename__ = "stream_chatters"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    last_chat_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (UniqueConstraint("stream_id", "user_id", name="uq_stream_chatters"),)


class ModerationAction(Base):
    """The action log: who did what to whom (stream_id None: a host-wide action such as a block)."""

    __tablename__ = "moderation_actions"

    stream_id: Mapped[int | None] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), default=None)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(24))
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        Index("ix_moderation_actions_stream", "stream_id", "id"),
        Index("ix_moderation_actions_host", "host_id", "id"),
    )
