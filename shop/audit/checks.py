"""`python -m shop audit`: every invariant of the books, checked on the whole database.

    I1  stock ledger balances      each variant's movements sum to its stock, every balance chains
    I2  flash-sale books           sold + held + available = quantity, per customer sold + held ≤ limit
    I3  payments match orders      a paid order has one succeeded PaymentIntent for its total;
                                   its refunds ≤ its total, and the order and lines agree on them
    I4  charges cover transfers    per charge: transfers - reversals + refunds + platform fee ≤ captured
    I5  commissions match lines    each commission sits on its attributed, paid line, and the
                                   line's entries sum to the formula

Each check is a few set-based queries that return only the offenders, so a clean database costs the
same whatever its size. A check counts offending objects (orders, variants…), not broken rules.
I2 reads live's tables: `live` registers it (`shop.wiring.register_live`), as shop never imports live.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import Refund, RefundStatus
from shop.audit.findings import Finding, finding
from shop.audit.payout_checks import charges_cover_transfers, commissions_match, succeeded_attempts
from shop.catalog.models import StockMovement, Variant
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES

__all__ = [
    "CHECKS",
    "Finding",
    "charges_cover_transfers",
    "commissions_match",
    "flash_sale_books",
    "payments_match",
    "register_flash_sale_books",
    "run_all",
    "stock_ledger",
]

FlashSaleCheck = Callable[[AsyncSession, str], Awaitable[Finding]]
_flash_sale_check: list[FlashSaleCheck] = []
RESERVED = (RefundStatus.PENDING, RefundStatus.SENDING, RefundStatus.SUCCEEDED)


async def _ids(db: AsyncSession, stmt: Any) -> list[int]:
    return [int(i) for i in (await db.scalars(stmt)).all()]


async def stock_ledger(db: AsyncSession) -> Finding:
    """I1: Σ deltas = stock_on_hand per variant, and each movement's balance_after is the running
    sum of the deltas up to it (so it chains from 0, one movement to the next)."""
    sums = (
        select(StockMovement.variant_id, func.sum(StockMovement.delta).label("total"))
        .group_by(StockMovement.variant_id)
        .subquery()
    )
    unbalanced = (
        select(Variant.id)
        .outerjoin(sums, sums.c.variant_id == Variant.id)
        .where(Variant.stock_on_hand != func.coalesce(sums.c.total, 0))
    )
    running = select(
        StockMovement.variant_id,
        StockMovement.balance_after,
        func.sum(StockMovement.delta)
        .over(partition_by=StockMovement.variant_id, order_by=StockMovement.id)
        .label("running"),
    ).subquery()
    unchained = select(running.c.variant_id).where(running.c.balance_after != running.c.running).distinct()
    offenders = await _ids(db, unbalanced) + await _ids(db, unchained)
    return finding("I1 stock ledger balances", variants=offenders)


def register_flash_sale_books(check: FlashSaleCheck) -> None:
    """Called by the composition root with live's check (registering again replaces it)."""
    _flash_sale_check[:] = [check]


async def flash_sale_books(db: AsyncSession) -> Finding:
    """I2, answered by live (`live.flash_sales.audit`), which owns the sales and their holds."""
    if not _flash_sale_check:
        raise RuntimeError("live has not registered its flash-sale check (see shop.wiring.register_live)")
    return await _flash_sale_check[0](db, "I2 flash-sale books")


async def payments_match(db: AsyncSession) -> Finding:
    """I3: a paid order (PAID_STATES) has exactly one succeeded attempt, for its total, and an
    unpaid one none; its reserved refunds (pending, sending, succeeded) equal `refunded_amount`,
    which is ≤ its total and the sum of its lines' refunds, each ≤ its line."""
    queries = [_unmatched_charges(), *_unmatched_refunds()]
    return finding("I3 payments match orders", orders=[i for q in queries for i in await _ids(db, q)])


def _unmatched_charges() -> Any:
    paid = succeeded_attempts()
    n = func.coalesce(paid.c.n, 0)
    return (
        select(Order.id)
        .outerjoin(paid, paid.c.order_id == Order.id)
        .where(
            or_(
                and_(Order.status.in_(PAID_STATES), or_(n != 1, paid.c.amount != Order.total_amount)),
                and_(Order.status.not_in(PAID_STATES), n > 0),
            )
        )
    )


def _unmatched_refunds() -> list[Any]:
    """Orders whose refunds, `refunded_amount` and lines' refunds disagree or overdraw."""
    reserved = (
        select(Refund.order_id, func.sum(Refund.amount).label("amount"))
        .where(Refund.status.in_(RESERVED))
        .group_by(Refund.order_id)
        .subquery()
    )
    lines = (
        select(OrderLine.order_id, func.sum(OrderLine.refunded_amount).label("refunded"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    refunded = Order.refunded_amount
    return [
        select(Order.id)
        .outerjoin(reserved, reserved.c.order_id == Order.id)
        .where(
            or_(refunded != func.coalesce(reserved.c.amount, 0), refunded < 0, refunded > Order.total_amount)
        ),
        select(Order.id).join(lines, lines.c.order_id == Order.id).where(lines.c.refunded != refunded),
        select(OrderLine.order_id).where(
            or_(
                OrderLine.refunded_amount < 0,
                OrderLine.refunded_amount > OrderLine.unit_amount * OrderLine.quantity,
            )
        ),
    ]


CHECKS: list[Callable[..., Awaitable[Finding]]] = [
    stock_ledger,
    flash_sale_books,
    payments_match,
    charges_cover_transfers,
    commissions_match,
]


async def run_all(
    db: AsyncSession, fee_bps: int | None = None, *, report: Callable[[Finding], None] | None = None
) -> list[Finding]:
    """The five findings, I1 to I5; `fee_bps` is the platform fee I4 counts (default: the setting).
    `report` hears each finding as soon as it is known (the command prints it)."""
    results = []
    for check in CHECKS:
        result = await (check(db, fee_bps) if check is charges_cover_transfers else check(db))
        if report is not None:
            report(result)
        results.append(result)
    return results
