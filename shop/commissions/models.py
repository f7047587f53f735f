"""Commissions: one per attributed, paid order line, and the append-only entries that say how much.

A commission's amount is never stored: it is the sum of its entries. Entries are only ever added::

    accrue    +floor(line_total * bps / 10000)            when the order is paid
    adjust    the change a partial refund makes            (before the commission is transferred)
    reverse   back to zero: a full refund or a cancel      (before the commission is transferred)
    clawback  the change a refund makes after the payout   (the transfer is reversed pro rata)

so that after every step  Σ entries = floor((line_total - line_refunded) * bps / 10000).

    pending ──line shipped, RETURN_WINDOW_DAYS passed──▶ payable ──settlement run──▶ in_transfer ──▶ paid
       └──refunded in full──▶ reversed            (a refund after `in_transfer` claws back; state stays)
"""

from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.core.db import MINOR_UNITS, Base


class CommissionState(enum.StrEnum):
    PENDING = "pending"
    PAYABLE = "payable"
    IN_TRANSFER = "in_transfer"
    PAID = "paid"
    REVERSED = "reversed"


# Before these, a refund adjusts or reverses; from them on, it claws back from the transfer.
TRANSFERRED = frozenset({CommissionState.IN_TRANSFER, CommissionState.PAID})


class EntryKind(enum.StrEnum):
    ACCRUE = "accrue"
    ADJUST = "adjust"
    REVERSE = "reverse"
    CLAWBACK = "clawback"


class Commission(Base):
    __tablename__ = "commissions"

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="RESTRICT"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="RESTRICT"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), default=None)
    collaboration_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaborations.id", ondelete="SET NULL"), default=None
    )
    commission_bps: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default=CommissionState.PENDING.value)
    # Set when the line ships: the day its return window closes and it may be paid out.
    payable_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The creator's transfer (shop.payouts) that carried it, once a settlement run took it.
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("payout_transfers.id"), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    entries: Mapped[list[CommissionEntry]] = relationship(
        "CommissionEntry", order_by="CommissionEntry.id", lazy="selectin"
    )

    __table_args__ = (Index("ix_commissions_creator_state", "creator_id", "state"),)

    @property
    def amount(self) -> int:
        return sum(entry.amount for entry in self.entries)


class CommissionEntry(Base):
    """Signed minor units; never updated or deleted (the audit's I5 checks the sum)."""

    __tablename__ = "commission_entries"

    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(MINOR_UNITS)
    # The refund that caused an adjust, reverse or clawback (payments.models.Refund).
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"), default=None)
