"""I4 and I5: the money after the sale (transfers, reversals, fees) and the commission ledger.

I4 counts what each charge has paid or promised: transfers from when they are planned (their key is
stored) until they fail, less reversals from when they are planned (from then on the payee owes
them; a refused one stays owed as a debt, `PayoutCarry`). A transfer's `amount` is what leaves
through Stripe; the part `netted` for a debt never leaves the platform.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import BigInteger, case, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentAttempt, Refund, RefundStatus
from shop.audit.findings import Finding, finding
from shop.commissions.ledger import owed
from shop.commissions.models import Commission, CommissionEntry, EntryKind
from shop.deals.models import FeeState, HeldFee
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES
from shop.payouts.models import PayoutReversal, PayoutTransfer, TransferState
from shop.settings import Settings

PROMISED = (TransferState.PLANNED, TransferState.SENDING, TransferState.SENT)
IN_FLIGHT = (RefundStatus.PENDING, RefundStatus.SENDING)
FEE_CAPTURED = (FeeState.HELD, FeeState.RELEASABLE, FeeState.REFUNDING, FeeState.REFUNDED)
FEE_REFUNDED = (FeeState.REFUNDING, FeeState.REFUNDED)


def succeeded_attempts() -> Any:
    """{order_id, n, amount}: the order's succeeded PaymentIntents (what was captured)."""
    return (
        select(
            PaymentAttempt.order_id,
            func.count(PaymentAttempt.id).label("n"),
            func.sum(PaymentAttempt.amount).label("amount"),
        )
        .where(PaymentAttempt.status == "succeeded")
        .group_by(PaymentAttempt.order_id)
        .subquery()
    )


def _paid_out(key: Any) -> tuple[Any, Any]:
    """Σ promised transfers and Σ their reversals, per `key` (PayoutTransfer.order_id or offer_id)."""
    out = (
        select(key.label("key"), func.sum(PayoutTransfer.amount).label("amount"))
        .where(key.is_not(None), PayoutTransfer.state.in_(PROMISED))
        .group_by(key)
        .subquery()
    )
    back = (
        select(key.label("key"), func.sum(PayoutReversal.amount).label("amount"))
        .join(PayoutTransfer, PayoutTransfer.id == PayoutReversal.transfer_id)
        .where(key.is_not(None))
        .group_by(key)
        .subquery()
    )
    return out, back


def platform_fees(fee_bps: int) -> Any:
    """{order_id, fee}: Σ over the order's merchants of floor((their lines - refunds) * bps / 10000),
    the fee the platform keeps now (`shop.payouts.settlement._merchant_share`)."""
    # PostgreSQL's SUM of BIGINT is NUMERIC, whose division keeps fractions: cast back, so the
    # fee is floored like `settlement.merchant_share`'s.
    kept = cast(
        func.sum(OrderLine.unit_amount * OrderLine.quantity) - func.sum(OrderLine.refunded_amount), BigInteger
    )
    per_merchant = (
        select(OrderLine.order_id, (kept * fee_bps // 10_000).label("fee"))
        .group_by(OrderLine.order_id, OrderLine.merchant_id)
        .subquery()
    )
    return (
        select(per_merchant.c.order_id, func.sum(per_merchant.c.fee).label("fee"))
        .group_by(per_merchant.c.order_id)
        .subquery()
    )


async def charges_cover_transfers(db: AsyncSession, fee_bps: int | None = None) -> Finding:
    """I4: per order, transfers - reversals + succeeded refunds + the platform fee now ≤ captured;
    per held fee, its transfers - reversals + its refund ≤ the fee (when it was paid, else 0)."""
    bps = Settings().platform_fee_bps if fee_bps is None else fee_bps
    captured, fees = succeeded_attempts(), platform_fees(bps)
    out, back = _paid_out(PayoutTransfer.order_id)
    refunded = (
        select(Refund.order_id, func.sum(Refund.amount).label("amount"))
        .where(Refund.status == RefundStatus.SUCCEEDED)
        .group_by(Refund.order_id)
        .subquery()
    )
    charge = func.coalesce(captured.c.amount, 0)
    used = (
        func.coalesce(out.c.amount, 0)
        - func.coalesce(back.c.amount, 0)
        + func.coalesce(refunded.c.amount, 0)
        + case((charge > 0, func.coalesce(fees.c.fee, 0)), else_=0)
    )
    orders = (
        select(Order.id)
        .outerjoin(captured, captured.c.order_id == Order.id)
        .outerjoin(out, out.c.key == Order.id)
        .outerjoin(back, back.c.key == Order.id)
        .outerjoin(refunded, refunded.c.order_id == Order.id)
        .outerjoin(fees, fees.c.order_id == Order.id)
        .where(used > charge)
    )
    return finding(
        "I4 charges cover transfers",
        orders=(await db.scalars(orders)).all(),
        offers=await _fee_offenders(db),
    )


async def _fee_offenders(db: AsyncSession) -> list[int]:
    """Offers whose held fee paid out more than it took, or transfers for an offer with no fee."""
    out, back = _paid_out(PayoutTransfer.offer_id)
    held = case((HeldFee.state.in_(FEE_CAPTURED), HeldFee.amount), else_=0)
    refund = case((HeldFee.state.in_(FEE_REFUNDED), HeldFee.refund_amount), else_=0)
    used = func.coalesce(out.c.amount, 0) - func.coalesce(back.c.amount, 0) + refund
    over = (
        select(HeldFee.offer_id)
        .outerjoin(out, out.c.key == HeldFee.offer_id)
        .outerjoin(back, back.c.key == HeldFee.offer_id)
        .where(used > held)
    )
    no_fee = select(out.c.key).where(~exists().where(HeldFee.offer_id == out.c.key))
    return [int(i) for q in (over, no_fee) for i in (await db.scalars(q)).all()]


async def commissions_match(db: AsyncSession) -> Finding:
    """I5: each commission's line is attributed to its creator at its rate, on a paid order; it has
    one `accrue` (the formula on the whole line) and its entries sum to `owed(line, bps)` on what
    is left after accepted refunds (a refund still in flight has not moved the ledger yet). And no
    attributed line with a rate on a paid order lacks its commission."""
    inflight = await _refunds_in_flight(db)
    rows = (await db.execute(_commission_candidates(inflight))).all()
    bad = [row.id for row in rows if not _commission_ok(row, inflight)]
    missing = (
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.status.in_(PAID_STATES),
            OrderLine.creator_id.is_not(None),
            OrderLine.commission_bps > 0,
            ~exists().where(Commission.order_line_id == OrderLine.id),
        )
    )
    return finding("I5 commissions match lines", commissions=bad, lines=(await db.scalars(missing)).all())


async def _refunds_in_flight(db: AsyncSession) -> dict[int, int]:
    """{order_line_id: units reserved by refunds Stripe has not accepted yet} (few at any time)."""
    spread: dict[int, int] = defaultdict(int)
    for lines in (await db.scalars(select(Refund.lines).where(Refund.status.in_(IN_FLIGHT)))).all():
        for line_id, amount in (lines or {}).items():
            spread[int(line_id)] += int(amount)
    return spread


def _entry_sums() -> Any:
    """{commission_id, total, accrues, accrued}: Σ entries, how many accrue, Σ the accrues."""
    accrue = CommissionEntry.kind == EntryKind.ACCRUE
    return (
        select(
            CommissionEntry.commission_id,
            func.sum(CommissionEntry.amount).label("total"),
            func.sum(case((accrue, 1), else_=0)).label("accrues"),
            func.sum(case((accrue, CommissionEntry.amount), else_=0)).label("accrued"),
        )
        .group_by(CommissionEntry.commission_id)
        .subquery()
    )


def _commission_candidates(inflight: dict[int, int]) -> Any:
    """The commissions SQL already sees are wrong (the same formula, on the line's refunds), and
    every one whose line has a refund in flight; `_commission_ok` decides with `owed`."""
    entries = _entry_sums()
    # BIGINT: a line total times a rate in basis points overflows PostgreSQL's INTEGER.
    line_total = cast(OrderLine.unit_amount * OrderLine.quantity, BigInteger)
    left = case((line_total > OrderLine.refunded_amount, line_total - OrderLine.refunded_amount), else_=0)
    bps = Commission.commission_bps
    suspect = (
        (OrderLine.creator_id.is_(None))
        | (OrderLine.creator_id != Commission.creator_id)
        | (OrderLine.commission_bps.is_(None))
        | (OrderLine.commission_bps != bps)
        | (OrderLine.order_id != Commission.order_id)
        | Order.status.not_in(PAID_STATES)
        | (func.coalesce(entries.c.accrues, 0) != 1)
        | (func.coalesce(entries.c.accrued, 0) != line_total * bps // 10_000)
        | (func.coalesce(entries.c.total, 0) != left * bps // 10_000)
        | OrderLine.id.in_(sorted(inflight))
    )
    return (
        select(
            Commission.id,
            Commission.creator_id,
            Commission.commission_bps,
            Commission.order_id,
            OrderLine.id.label("line_id"),
            OrderLine.order_id.label("line_order_id"),
            OrderLine.creator_id.label("line_creator_id"),
            OrderLine.commission_bps.label("line_bps"),
            OrderLine.unit_amount,
            OrderLine.quantity,
            OrderLine.refunded_amount,
            Order.status,
            func.coalesce(entries.c.total, 0).label("total"),
            func.coalesce(entries.c.accrues, 0).label("accrues"),
            func.coalesce(entries.c.accrued, 0).label("accrued"),
        )
        .join(OrderLine, OrderLine.id == Commission.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(entries, entries.c.commission_id == Commission.id)
        .where(suspect)
    )


def _commission_ok(row: Any, inflight: dict[int, int]) -> bool:
    bps = row.commission_bps

    def worth(refunded: int) -> int:
        return owed(
            OrderLine(unit_amount=row.unit_amount, quantity=row.quantity, refunded_amount=refunded), bps
        )

    attributed = (row.line_creator_id, row.line_bps, row.line_order_id) == (
        row.creator_id,
        bps,
        row.order_id,
    )
    return (
        attributed
        and row.status in PAID_STATES
        and row.accrues == 1
        and row.accrued == worth(0)
        and row.total == worth(row.refunded_amount - inflight.get(row.line_id, 0))
    )
