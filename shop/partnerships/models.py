from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Product
from shop.core.db import Base


class CollaborationStatus(enum.StrEnum):
    """open ──the merchant withdraws──▶ closed (a product has at most one open collaboration)."""

    OPEN = "open"
    CLOSED = "closed"


class Collaboration(Base):
    """A merchant opens a product to every creator at a commission rate (TikTok's open plan)."""

    __tablename__ = "collaborations"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    # The newest rate the merchant announced. A cut is not in force until its notice has run:
    # the rate an order earns is `services.rate_in_force`, read from `collaboration_rates`.
    commission_bps: Mapped[int]
    status: Mapped[str] = mapped_column(String(8), default=CollaborationStatus.OPEN.value)
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    product: Mapped[Product] = relationship(Product, lazy="joined")

    __table_args__ = (
        CheckConstraint("commission_bps >= 100 AND commission_bps <= 8000", name="bps_range"),
        Index(
            "uq_collaborations_open_product",
            "product_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_collaborations_status_bps", "status", "commission_bps", "id"),
    )


class CollaborationRate(Base):
    """One announced rate, append-only: the collaboration's rate history.

    Opening writes the first row (in force at once). A raise is in force at once; a cut from
    `created_at + COMMISSION_NOTICE_DAYS`, so orders placed before then keep the old rate. A row
    announced before an earlier row took effect replaces that earlier row, which then never
    applies (a merchant changing its mind inside the notice period). `services.rate_in_force`
    reads this table; nothing ever updates or deletes a row.
    """

    __tablename__ = "collaboration_rates"

    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaborations.id", ondelete="CASCADE"))
    commission_bps: Mapped[int]
    effective_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        CheckConstraint("commission_bps >= 100 AND commission_bps <= 8000", name="rate_bps_range"),
        Index("ix_collaboration_rates_collaboration", "collaboration_id", "id"),
    )


class ShowcaseItem(Base):
    """A product a creator recommends on their profile's Showcase tab (TikTok's showcase).

    Who may add what is `rights.not_sellable_by`, checked on add and again on every public read,
    so a product closed for collaboration (or a suspended shop's) drops out without a write.
    """

    __tablename__ = "showcase_items"

    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # Display order, highest first: a new item takes the top (max + 1) until creators can reorder.
    position: Mapped[int]

    __table_args__ = (UniqueConstraint("creator_id", "product_id", name="uq_showcase_items_creator_product"),)
