from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.core import clock
from shop.core.db import MINOR_UNITS, Base
from shop.core.retry import Retried


class FlashSale(Retried, Base):
    """The retry columns record a sweep that failed for this sale (a hold to expire, the close)."""

    __tablename__ = "flash_sales"

    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="RESTRICT"))
    quantity: Mapped[int]
    price_amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    per_customer_limit: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    hold_seconds: Mapped[int] = mapped_column(default=600)
    # Another shop's product sold under a deal's flash-sale terms: which deal's allocation it uses.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), default=None)
    # Set once, when the unsold allocation went back to the variant's stock.
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("per_customer_limit > 0", name="limit_positive"),
        CheckConstraint("ends_at > starts_at", name="window"),
    )


class SaleHoldState(enum.StrEnum):
    """A flash-sale reservation; it leaves `held` exactly once::

    held ──its order paid──▶ sold
      ├──the shopper let go──▶ released
      └──its 10 minutes ran out, or the sale closed──▶ expired
    """

    HELD = "held"
    SOLD = "sold"
    RELEASED = "released"
    EXPIRED = "expired"


class FlashSaleHold(Base):
    """The ledger: one row per reservation; it leaves `held` once, to sold, released or expired."""

    __tablename__ = "flash_sale_holds"

    sale_id: Mapped[int] = mapped_column(ForeignKey("flash_sales.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reservation_id: Mapped[str] = mapped_column(String(40), unique=True)
    quantity: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default=SaleHoldState.HELD.value)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), default=None)

    __table_args__ = (
        Index("ix_flash_sale_holds_sale_state", "sale_id", "state"),
        Index("ix_flash_sale_holds_sale_user", "sale_id", "user_id"),
        # What one account holds across sales (the cap on units held at once).
        Index("ix_flash_sale_holds_user_state", "user_id", "state"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class SaleWindow(Protocol):
    """A sale's row, or a plain read of its columns."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


def status_of(sale: SaleWindow, at: datetime | None = None) -> str:
    at = at or clock.now()
    return "scheduled" if at < sale.starts_at else ("ended" if at >= sale.ends_at else "live")
