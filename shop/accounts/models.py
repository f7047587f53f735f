from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.core.db import Base
from shop.core.storage import media_url


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    CREATOR = "creator"
    MERCHANT = "merchant"
    # Runs the platform (verifies and suspends shops). Made only by `python -m shop operator add`;
    # sign-up refuses it.
    OPERATOR = "operator"


SELF_SERVE_ROLES = (Role.SHOPPER, Role.CREATOR, Role.MERCHANT)


class User(Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16), default=Role.SHOPPER.value)
    bio: Mapped[str] = mapped_column(String(300), default="")
    avatar_hue: Mapped[int] = mapped_column(default=200)
    follower_count: Mapped[int] = mapped_column(default=0)
    following_count: Mapped[int] = mapped_column(default=0)
    # A profile photo from the image gate (content-addressed key); None shows the initial on a hue.
    avatar_key: Mapped[str | None] = mapped_column(String(120), default=None)
    # The interface language chosen with the header's switcher (en | zh_Hans); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(16), default=None)

    merchant: Mapped[Merchant | None] = relationship(
        "Merchant", back_populates="owner", uselist=False, lazy="selectin"
    )

    __table_args__ = (CheckConstraint("role in ('shopper','creator','merchant','operator')", name="role"),)

    @property
    def avatar_url(self) -> str | None:
        return media_url(self.avatar_key) if self.avatar_key else None


class ApiToken(Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # None: until revoked. After it, the secret signs nobody in (the row stays listed as expired).
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class UserSession(Base):
    """One signed-in browser: listed on the settings page, and revocable from another device.

    The server-side session record holds this row's id; a revoked row signs that browser out on its
    next request (the session store itself is keyed by a secret id this table never sees).
    """

    __tablename__ = "user_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class UserInterest(Base):
    """Topics picked at onboarding: they seed suggested creators and the Discover order."""

    __tablename__ = "user_interests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("user_id", "topic", name="uq_user_interests"),)


class Follow(Base):
    __tablename__ = "follows"

    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    followee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        UniqueConstraint("follower_id", "followee_id", name="uq_follows_pair"),
        CheckConstraint("follower_id <> followee_id", name="not_self"),
    )


class ShopStatus(enum.StrEnum):
    """A shop as an operator judged it (only operators move it).

        unverified ──verify──▶ verified
             │                    │
          suspend              suspend
             ▼                    ▼
             └──────▶ suspended ◀─┘
                          │
                      reinstate ──▶ unverified

    A suspended shop's products cannot be bought, tagged on notes or shelved in a stream.
    Reinstating does not restore a verification: the operator verifies again.
    """

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


class Merchant(Base):
    __tablename__ = "merchants"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(
        String(12), default=ShopStatus.UNVERIFIED.value, server_default=ShopStatus.UNVERIFIED.value
    )
    # The operator's reason for the last change (shown to the owner when suspended).
    status_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    owner: Mapped[User] = relationship("User", back_populates="merchant", lazy="joined")

    __table_args__ = (CheckConstraint("status in ('unverified','verified','suspended')", name="shop_status"),)

    @property
    def suspended(self) -> bool:
        return self.status == ShopStatus.SUSPENDED.value


def in_open_shop(merchant_id: Any) -> ColumnElement[bool]:
    """A WHERE condition: true where `merchant_id` is a shop that is not suspended.

    A suspended shop's products are nobody's to sell, tag or shelve, its owner's included.
    """
    return merchant_id.not_in(select(Merchant.id).where(Merchant.status == ShopStatus.SUSPENDED.value))
