from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Variant
from shop.core.db import Base


class SourceType(enum.StrEnum):
    NOTE = "note"
    STREAM = "stream"
    DIRECT = "direct"


class Cart(Base):
    """One cart per account, or one per guest cookie until the guest signs in and it merges."""

    __tablename__ = "carts"

    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, default=None
    )
    guest_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)

    lines: Mapped[list[CartLine]] = relationship(
        "CartLine", order_by="CartLine.id", lazy="selectin", cascade="all, delete-orphan"
    )


class CartLine(Base):
    """A variant and quantity, plus the note or stream that sold it. The price is never stored here."""

    __tablename__ = "cart_lines"

    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    source_type: Mapped[str] = mapped_column(String(16), default=SourceType.DIRECT.value)
    source_id: Mapped[int | None] = mapped_column(default=None)

    variant: Mapped[Variant] = relationship(Variant, lazy="joined")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("source_type in ('note','stream','direct')", name="source"),
    )
