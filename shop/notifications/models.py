from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.core.db import Base


class NotificationKind(enum.StrEnum):
    LIKE = "like"  # someone liked your note
    COMMENT = "comment"  # someone commented on your note
    REPLY = "reply"  # someone replied to your comment
    COMMENT_LIKE = "comment_like"  # someone liked your comment
    FOLLOW = "follow"  # someone followed you
    LIVE = "live"  # a host you follow (or asked to be reminded of) went live
    SHIPPED = "shipped"  # your order shipped
    REFUND = "refund"  # you were refunded
    SHOP_VERIFIED = "shop_verified"  # an operator verified your shop
    SHOP_SUSPENDED = "shop_suspended"  # an operator suspended your shop (the subject is the reason)
    SHOP_REINSTATED = "shop_reinstated"  # an operator lifted your shop's suspension
    RATE_CHANGE = "rate_change"  # a product in your showcase will pay less commission (a cut ahead)
    DEAL = "deal"  # a step in a paid partnership: an offer sent, accepted, submitted, approved...


class Notification(Base):
    """One line in someone's inbox. It stores what happened, not rendered text, so it can be shown
    in the reader's language; `subject` is the user text it is about (a note title, a comment)."""

    __tablename__ = "notifications"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), default=None)
    subject: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    actor: Mapped[User | None] = relationship(User, foreign_keys=[actor_id], lazy="joined")

    __table_args__ = (Index("ix_notifications_user", "user_id", "id"),)
