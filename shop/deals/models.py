"""Targeted offers, the deals they become, and the flat fee held while a deal runs.

Three state machines, each with one writer (`offers.py`, `lifecycle.py`, `fees.py`)::

    Offer     awaiting_payment ──fee held──▶ sent ──creator accepts──▶ accepted (a Deal begins)
                    │                         ├──creator declines──▶ declined
                    └──withdrawn / expired     ├──merchant withdraws──▶ withdrawn
                                               └──OFFER_EXPIRY_DAYS pass──▶ expired

    Deal      active ──submit──▶ submitted ──approve, or DEAL_REVIEW_DAYS of silence──▶ approved
                ▲                  │                                                    │ deliverable public
                └── submit ── changes_requested ◀──request changes (rounds 1-3)         ▼
                                   │  4th request for changes ──▶ disputed          published
              active | changes_requested ──due_at passes──▶ expired                    │ PROTECTION_DAYS
              any open state ──one side cancels──▶ disputed ──other side cancels──▶ canceled ▼
              disputed ──operator: release | split──▶ completed, refund──▶ canceled   completed

    HeldFee   unpaid ──card charged──▶ held ──published (or an operator releases)──▶ releasable
                             └──offer or deal ends without it──▶ refunding ──Stripe accepts──▶ refunded
              A split refunds `refund_amount` and leaves `release_amount` releasable.

A held fee is never called escrow: the platform holds a card charge and either refunds it or
(issue 11) transfers it to the creator once the deliverable is published.
"""

from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import Merchant, User
from shop.catalog.models import Product
from shop.core.db import MINOR_UNITS, Base
from shop.core.retry import Retried


class OfferStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_OFFER_STATES = frozenset({OfferStatus.AWAITING_PAYMENT, OfferStatus.SENT})


class Deliverable(enum.StrEnum):
    NOTE = "note"
    STREAM = "stream"


class DealStatus(enum.StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELED = "canceled"
    DISPUTED = "disputed"


# A deal in these states gives its creator the right to tag, shelve and sell its products.
SELLING_DEAL_STATES = frozenset(
    {
        DealStatus.ACTIVE,
        DealStatus.SUBMITTED,
        DealStatus.CHANGES_REQUESTED,
        DealStatus.APPROVED,
        DealStatus.PUBLISHED,
    }
)
# Work can still be submitted, changed or canceled.
OPEN_DEAL_STATES = frozenset(
    {DealStatus.ACTIVE, DealStatus.SUBMITTED, DealStatus.CHANGES_REQUESTED, DealStatus.APPROVED}
)


class FeeState(enum.StrEnum):
    UNPAID = "unpaid"
    HELD = "held"
    RELEASABLE = "releasable"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


class Offer(Retried, Base):
    """What a merchant asks of one creator. Its terms are copied nowhere: the deal reads them here.

    The retry columns record the expiry job failing on this offer (its fee refund is `HeldFee`'s)."""

    __tablename__ = "offers"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deliverable: Mapped[str] = mapped_column(String(8))
    brief: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    fee_amount: Mapped[int | None] = mapped_column(MINOR_UNITS, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    commission_bps: Mapped[int | None] = mapped_column(default=None)
    samples: Mapped[bool] = mapped_column(Boolean, default=False)
    flash_max_quantity: Mapped[int | None] = mapped_column(default=None)
    flash_min_price: Mapped[int | None] = mapped_column(MINOR_UNITS, default=None)
    flash_per_customer_limit: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    merchant: Mapped[Merchant] = relationship(Merchant, lazy="joined")
    creator: Mapped[User] = relationship(User, lazy="joined")
    items: Mapped[list[OfferProduct]] = relationship(
        "OfferProduct", lazy="selectin", cascade="all, delete-orphan", order_by="OfferProduct.id"
    )
    fee: Mapped[HeldFee | None] = relationship("HeldFee", lazy="selectin", uselist=False)

    __table_args__ = (Index("ix_offers_status_expires", "status", "expires_at"),)

    @property
    def product_ids(self) -> list[int]:
        return [item.product_id for item in self.items]

    @property
    def has_flash_terms(self) -> bool:
        return self.flash_max_quantity is not None


class OfferProduct(Base):
    __tablename__ = "offer_products"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)

    product: Mapped[Product] = relationship(Product, lazy="joined")

    __table_args__ = (UniqueConstraint("offer_id", "product_id", name="uq_offer_products"),)


class Deal(Retried, Base):
    """The retry columns record a deadline job (expiry, silent approval, completion) failing on it."""

    __tablename__ = "deals"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DealStatus.ACTIVE.value)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"), default=None)
    stream_id: Mapped[int | None] = mapped_column(ForeignKey("streams.id", ondelete="SET NULL"), default=None)
    change_rounds: Mapped[int] = mapped_column(default=0)
    # The platform's periods when the deal began: its terms do not move under it if settings change.
    review_days: Mapped[int] = mapped_column(default=7)
    protection_days: Mapped[int] = mapped_column(default=30)
    review_due_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    protected_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    cancel_requested_by: Mapped[str | None] = mapped_column(String(8), default=None)
    settlement: Mapped[str | None] = mapped_column(String(8), default=None)

    offer: Mapped[Offer] = relationship(Offer, lazy="joined")
    rounds: Mapped[list[DealRound]] = relationship(
        "DealRound", lazy="selectin", order_by="DealRound.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_deals_status", "status", "id"),)


class DealRound(Base):
    """One step in a deal's history, append-only: what happened, who did it, and what they said."""

    __tablename__ = "deal_rounds"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    message: Mapped[str] = mapped_column(Text, default="")


class HeldFee(Retried, Base):
    """The offer's flat fee: one card charge, held until released to the creator or refunded.

    Each payment attempt's idempotency key is stored (and committed) before Stripe hears of it; a
    declined card needs a new PaymentIntent, so the attempt number moves on. The refund's key is
    stored the same way, and the retry columns belong to sending that refund.
    """

    __tablename__ = "held_fees"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), unique=True)
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default=FeeState.UNPAID.value)
    attempt: Mapped[int] = mapped_column(default=1)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    client_secret: Mapped[str | None] = mapped_column(String(200), default=None)
    intent_status: Mapped[str] = mapped_column(String(32), default="new")
    error_message: Mapped[str | None] = mapped_column(String(300), default=None)
    refund_amount: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    refund_key: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(80), default=None)
    release_amount: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    held_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    __table_args__ = (Index("ix_held_fees_state", "state", "id"),)
