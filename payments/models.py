"""What we told Stripe and what Stripe told us, stored before it is acted on."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.db import MINOR_UNITS, Base
from shop.core.retry import Retried


class PaymentAttempt(Retried, Base):
    """One PaymentIntent. A new attempt follows only a declined card (Stripe cannot re-confirm).

    The retry columns record a job that could not reach Stripe about this intent (hold expiry,
    reconciliation), so the next pass waits out the backoff and an operator can see why.
    """

    __tablename__ = "payment_attempts"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    client_secret: Mapped[str | None] = mapped_column(String(200), default=None)
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32), default="creating")
    error_message: Mapped[str | None] = mapped_column(String(300), default=None)


class EventStatus(enum.StrEnum):
    PENDING = "pending"  # stored, not applied yet: the sweeper retries it after `next_attempt_at`
    PROCESSED = "processed"  # applied, or nothing for us to do
    FAILED = "failed"  # gave up: Stripe does not know its object, or N tries failed; for an operator


class PaymentEvent(Retried, Base):
    """The deduplicated webhook log: one row per Stripe event id, kept until it has been applied."""

    __tablename__ = "payment_events"

    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    payment_intent_id: Mapped[str | None] = mapped_column(String(80), index=True, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    processed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    apply_attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(
        String(16), default=EventStatus.PENDING.value, server_default=EventStatus.PENDING.value
    )

    __table_args__ = (Index("ix_payment_events_status", "status", "id"),)


class RefundStatus(enum.StrEnum):
    """Ours, not Stripe's (Stripe's answer is kept in `stripe_status`)::

    pending ──claimed by one sender──▶ sending ──Stripe accepted──▶ succeeded
       ▲                                  │ └──Stripe refused──▶ failed (amount given back)
       └──undecided (down, 409, timeout)──┘
    """

    PENDING = "pending"  # stored with its key; sent now, or by the job after a failure
    SENDING = "sending"  # one sender holds it (a crashed sender's claim goes stale and is retaken)
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(Retried, Base):
    __tablename__ = "refunds"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id", ondelete="SET NULL"), default=None
    )
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(80), default=None)
    status: Mapped[str] = mapped_column(String(16), default=RefundStatus.PENDING.value)
    failure_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    # What Stripe says of it ("pending", "succeeded", later "failed"); None until it was accepted.
    stripe_status: Mapped[str | None] = mapped_column(String(16), default=None)
    # How the amount falls on the order's lines ({order_line_id: minor units}), fixed when reserved.
    lines: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
