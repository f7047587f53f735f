from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
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
