"""A creator's earnings, read from the ledger: totals by state and one line per commission.

Nothing here is stored: every amount is a sum of ledger entries, every base is the line's total
less its refunds, and a pending commission whose return window already closed reads as payable
(the settlement run moves it; the reader should not wait for the run to see it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.commissions.models import Commission, CommissionState, EntryKind
from shop.core import clock
from shop.core.exports import to_csv
from shop.orders.models import Order, OrderLine
from shop.payouts.models import PayoutTransfer

STATES = ("pending", "payable", "in_transfer", "paid")


@dataclass
class Earnings:
    currency: str
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*STATES, "reversed"), 0))
    lines: list[dict[str, Any]] = field(default_factory=list)


def shown_state(commission: Commission, now: datetime) -> str:
    due = commission.payable_at is not None and commission.payable_at <= now
    if commission.state == CommissionState.PENDING and due:
        return CommissionState.PAYABLE.value
    return commission.state


async def earnings(db: AsyncSession, creator_id: int, currency: str | None = None) -> Earnings:
    stmt = (
        select(Commission, OrderLine, Order.created_at, PayoutTransfer.stripe_transfer_id)
        .join(OrderLine, OrderLine.id == Commission.order_line_id)
        .join(Order, Order.id == Commission.order_id)
        .outerjoin(PayoutTransfer, PayoutTransfer.id == Commission.transfer_id)
        .where(Commission.creator_id == creator_id)
        .order_by(Commission.id.desc())
    )
    rows = (await db.execute(stmt)).all()
    chosen = currency or _main_currency([c.currency for c, *_ in rows])
    result = Earnings(currency=chosen)
    now = clock.now()
    for commission, line, ordered_at, stripe_transfer in rows:
        if commission.currency != chosen:
            continue
        amount, state = commission.amount, shown_state(commission, now)
        if state != CommissionState.REVERSED:
            result.totals[state] += amount
        result.totals["reversed"] += -sum(e.amount for e in commission.entries if e.kind != EntryKind.ACCRUE)
        result.lines.append(_line(commission, line, ordered_at, amount, state, stripe_transfer))
    return result


async def currencies(db: AsyncSession, creator_id: int) -> list[str]:
    """The currencies a creator has earned in (the page offers the others beside the main one)."""
    stmt = select(Commission.currency).where(Commission.creator_id == creator_id).distinct()
    return sorted((await db.scalars(stmt)).all())


def _main_currency(currencies: list[str]) -> str:
    return Counter(currencies).most_common(1)[0][0] if currencies else "USD"


def _line(
    commission: Commission,
    line: OrderLine,
    ordered_at: datetime,
    amount: int,
    state: str,
    transfer: str | None,
) -> dict[str, Any]:
    return {
        "order_id": commission.order_id,
        "order_line_id": commission.order_line_id,
        "ordered_at": ordered_at,
        "product": line.product_name,
        "source": {"type": line.source_type, "id": line.source_id},
        "deal_id": commission.deal_id,
        "collaboration_id": commission.collaboration_id,
        "base": max(line.total_amount - line.refunded_amount, 0),
        "commission_bps": commission.commission_bps,
        "amount": amount,
        "state": state,
        "payable_at": commission.payable_at,
        "paid_at": commission.paid_at,
        "transfer_id": transfer,
    }


CSV_COLUMNS = (
    "order_id",
    "order_line_id",
    "ordered_at",
    "product",
    "source_type",
    "source_id",
    "deal_id",
    "base",
    "commission_bps",
    "amount",
    "currency",
    "state",
    "payable_at",
    "transfer_id",
)


def earnings_csv(data: Earnings) -> str:
    """One row per commission, amounts in minor units (as the API), so the sums match the page."""
    rows = (
        [
            line["order_id"],
            line["order_line_id"],
            line["ordered_at"].isoformat(),
            line["product"],
            line["source"]["type"],
            line["source"]["id"] or "",
            line["deal_id"] or "",
            line["base"],
            line["commission_bps"],
            line["amount"],
            data.currency,
            line["state"],
            line["payable_at"].isoformat() if line["payable_at"] else "",
            line["transfer_id"] or "",
        ]
        for line in data.lines
    )
    return to_csv(CSV_COLUMNS, rows)
