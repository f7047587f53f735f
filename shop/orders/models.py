from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.core.db import MINOR_UNITS, Base


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Order(Base):
    __tablename__ = "orders"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.PENDING_PAYMENT.value)
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(MINOR_UNITS)
    refunded_amount: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    # What the client sent as Idempotency-Key, or a digest of the cart: a retry finds this order.
    checkout_key: Mapped[str] = mapped_column(String(80))
    hold_expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    # A copy of the address at checkout (`Address.as_dict`): editing the address book later never
    # moves a parcel. None only on orders placed before addresses existed.
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    lines: Mapped[list[OrderLine]] = relationship(
        "OrderLine", order_by="OrderLine.id", lazy="selectin", cascade="all, delete-orphan"
    )
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        "Fulfilment", order_by="Fulfilment.id", lazy="selectin", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("user_id", "checkout_key", name="uq_orders_checkout_key"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= total_amount", name="refund_cap"),
        Index("ix_orders_status_hold", "status", "hold_expires_at"),
    )


class OrderLine(Base):
    """A copy of what was bought at what DB price; later catalog edits never change it."""

    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="RESTRICT"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="RESTRICT"))
    product_id: Mapped[int]
    product_name: Mapped[str] = mapped_column(String(120))
    variant_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int]
    unit_amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int | None] = mapped_column(default=None)
    refunded_amount: Mapped[int] = mapped_column(MINOR_UNITS, default=0, server_default="0")
    # True when the stock was already taken by an allocation (a flash sale), not by a checkout hold.
    allocated: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Who gets credit for the sale, fixed when the order is paid (shop.commissions.attribution) and
    # never changed after: the note's author or the room's host, the deal or open collaboration
    # that pays, and the rate in force when the order was placed. None: nobody.
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), default=None)
    collaboration_id: Mapped[int | None] = mapped_column(ForeignKey("collaborations.id"), default=None)
    commission_bps: Mapped[int | None] = mapped_column(default=None)

    @property
    def total_amount(self) -> int:
        return self.unit_amount * self.quantity

    @property
    def attribution(self) -> dict[str, int | None] | None:
        if self.creator_id is None:
            return None
        return {
            "creator_id": self.creator_id,
            "deal_id": self.deal_id,
            "collaboration_id": self.collaboration_id,
            "commission_bps": self.commission_bps or 0,
        }

    @property
    def refund_state(self) -> str:
        if self.refunded_amount == 0:
            return "none"
        return "refunded" if self.refunded_amount >= self.total_amount else "partially_refunded"

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # What one note or stream sold (a stream's analytics page): its lines without a scan.
        Index("ix_order_lines_source", "source_type", "source_id"),
        # An order's lines, and "has this order a line of this shop's" (the dashboard's lists)
        # answered from the index: without it SQLite may walk the shop's lines for every order.
        Index("ix_order_lines_order_merchant", "order_id", "merchant_id"),
    )


class ReservationState(enum.StrEnum):
    """A checkout's hold on stock; it leaves `held` exactly once (a conditional update)::

    held ──order paid──▶ consumed
      └──hold expired, order canceled, or paid too late──▶ released
    """

    HELD = "held"
    CONSUMED = "consumed"
    RELEASED = "released"


class StockReservation(Base):
    """Stock held for an unpaid order. It leaves the `held` state exactly once: consumed or released."""

    __tablename__ = "stock_reservations"

    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    state: Mapped[str] = mapped_column(String(12), default=ReservationState.HELD.value)

    __table_args__ = (
        Index("ix_stock_reservations_variant_state", "variant_id", "state", "expires_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Fulfilment(Base):
    """One parcel: a merchant's carrier and tracking number for some of its lines of an order."""

    __tablename__ = "fulfilments"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="RESTRICT"), index=True)
    carrier: Mapped[str] = mapped_column(String(60))
    tracking_number: Mapped[str] = mapped_column(String(64))

    lines: Mapped[list[FulfilmentLine]] = relationship(
        "FulfilmentLine",
        order_by="FulfilmentLine.order_line_id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def line_ids(self) -> list[int]:
        return [line.order_line_id for line in self.lines]


class FulfilmentLine(Base):
    """A line in a parcel. `order_line_id` is unique: the database itself refuses shipping a line twice."""

    __tablename__ = "fulfilment_lines"

    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
