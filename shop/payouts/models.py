"""Paying people: connected accounts, transfers, their reversals, and debts netted from later runs.

Separate charges and transfers: the shopper's charge lands on the platform; a settlement run
transfers each payee's share of a payable order from that charge (`source_transaction`), in its
`transfer_group` (`order_{id}`). What a payee is owed from an order is always recomputed from the
order's lines, refunds and commissions (`settlement.target`); a transfer and its reversals move
the difference, each under an idempotency key stored before the call::

    PayoutTransfer   planned ──claimed──▶ sending ──Stripe accepted──▶ sent
                        ▲                    ├──undecided (down, 409, rate limit)──▶ planned (retried)
                        │                    ├──claim older than STALE_CLAIM (a run died)──▶ retaken
                        │                    └──refused for good──▶ refused ──▶ failed, share planned
                        │                                              again (refusals.py)
                        └── waits while the payee has no enabled account
    PayoutReversal   planned ──Stripe accepted──▶ sent
                        └──the payee's balance is short──▶ refused ──▶ owed (PayoutCarry), netted next run
    PayoutAccount    onboarding ──account.updated: payouts enabled──▶ enabled ──▶ disabled (and back)
"""

from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.db import MINOR_UNITS, Base
from shop.core.retry import Retried


class AccountStatus(enum.StrEnum):
    ONBOARDING = "onboarding"
    ENABLED = "enabled"
    DISABLED = "disabled"


class PayoutAccount(Base):
    """A payee's Stripe Express account. The key is stored before the account is created."""

    __tablename__ = "payout_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    stripe_account_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(12), default=AccountStatus.ONBOARDING.value)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)


class SettledOrder(Base):
    """An order a settlement run has planned (once; later changes move money by reversals)."""

    __tablename__ = "payout_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)


class PayeeRole(enum.StrEnum):
    MERCHANT = "merchant"  # a shop's net on its lines of an order
    CREATOR = "creator"  # a creator's commissions on an order
    DEAL_FEE = "deal_fee"  # a deal's held flat fee, released once the work was published


class TransferState(enum.StrEnum):
    PLANNED = "planned"
    SENDING = "sending"  # one sender holds it; undecided answers put it back to planned
    SENT = "sent"
    REFUSED = "refused"  # Stripe said no for good; its share is planned again (refusals.py)
    FAILED = "failed"  # retired: replaced by another transfer, or nothing left to pay


class PayoutTransfer(Retried, Base):
    __tablename__ = "payout_transfers"

    payee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    # The order it settles (merchant, creator), or the offer whose fee it releases (deal_fee).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), default=None)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="RESTRICT"), default=None)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), default=None)
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    # The platform fee kept from a merchant's share, fixed when the transfer was planned.
    platform_fee: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    # Debts (PayoutCarry) netted from this transfer: `amount` is already net of them.
    netted: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    transfer_group: Mapped[str] = mapped_column(String(40))
    # the charge it is paid from, or "platform" (sending.FROM_PLATFORM): its own balance
    source_charge_id: Mapped[str | None] = mapped_column(String(80), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    state: Mapped[str] = mapped_column(String(10), default=TransferState.PLANNED.value)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    __table_args__ = (
        Index("ix_payout_transfers_order_payee", "order_id", "payee_id", "role"),
        Index("ix_payout_transfers_state", "state", "id"),
    )


class ReversalState(enum.StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    REFUSED = "refused"


class PayoutReversal(Retried, Base):
    __tablename__ = "payout_reversals"

    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("payout_transfers.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    stripe_reversal_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    state: Mapped[str] = mapped_column(String(10), default=ReversalState.PLANNED.value)


class PayoutCarry(Base):
    """The debts ledger: what a payee owes back because a reversal was refused (+), and what later
    transfers kept back to settle it (-). Append-only; a payee owes Σ amount per currency."""

    __tablename__ = "payout_carries"

    payee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("payout_reversals.id"), default=None)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("payout_transfers.id"), default=None)
