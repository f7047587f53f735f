"""The operator's books: the audit's findings, the platform's fee income, and money on the move.

Fee income is computed from the rows, never kept in a counter: for each merchant transfer that was
sent, the fee fixed when it was planned (`platform_fee`), and the fee on what the shopper has kept of
that merchant's lines now (`floor((lines - refunds) * bps / 10000)`, the amount a refund's reversal
brings the merchant back to). The difference is what refunds took back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import User
from shop.audit.checks import run_all
from shop.audit.findings import Finding, snapshot
from shop.orders.models import OrderLine
from shop.payouts.models import (
    PayeeRole,
    PayoutCarry,
    PayoutReversal,
    PayoutTransfer,
    ReversalState,
    TransferState,
)


@dataclass(frozen=True)
class FeeIncome:
    currency: str
    charged: int  # Σ platform_fee of the sent merchant transfers
    kept: int  # the fee on those orders' merchant lines now, after refunds

    @property
    def taken_back(self) -> int:
        return self.charged - self.kept


@dataclass(frozen=True)
class Debt:
    payee_id: int
    display_name: str
    currency: str
    amount: int


@dataclass
class Books:
    findings: list[Finding]
    fee_bps: int
    fee_income: list[FeeIncome] = field(default_factory=list)
    transfers: dict[str, int] = field(default_factory=dict)
    reversals: dict[str, int] = field(default_factory=dict)
    debts: list[Debt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


async def fee_income(db: AsyncSession, fee_bps: int) -> list[FeeIncome]:
    sent = (
        select(
            PayoutTransfer.order_id,
            PayoutTransfer.merchant_id,
            PayoutTransfer.currency,
            func.sum(PayoutTransfer.platform_fee).label("charged"),
        )
        .where(PayoutTransfer.role == PayeeRole.MERCHANT, PayoutTransfer.state == TransferState.SENT)
        .group_by(PayoutTransfer.order_id, PayoutTransfer.merchant_id, PayoutTransfer.currency)
        .subquery()
    )
    # PostgreSQL's SUM of BIGINT is NUMERIC, whose division keeps fractions: cast back, so the
    # fee is floored like `settlement.merchant_share`'s.
    kept = cast(
        func.sum(OrderLine.unit_amount * OrderLine.quantity) - func.sum(OrderLine.refunded_amount), BigInteger
    )
    now = (
        select(OrderLine.order_id, OrderLine.merchant_id, (kept * fee_bps // 10_000).label("fee"))
        .group_by(OrderLine.order_id, OrderLine.merchant_id)
        .subquery()
    )
    stmt = (
        select(sent.c.currency, func.sum(sent.c.charged), func.sum(now.c.fee))
        .join(now, and_(now.c.order_id == sent.c.order_id, now.c.merchant_id == sent.c.merchant_id))
        .group_by(sent.c.currency)
        .order_by(sent.c.currency)
    )
    return [FeeIncome(c, int(charged or 0), int(fee or 0)) for c, charged, fee in await db.execute(stmt)]


async def _by_state(
    db: AsyncSession, model: type[PayoutTransfer] | type[PayoutReversal], states: list[str]
) -> dict[str, int]:
    counts = dict((await db.execute(select(model.state, func.count(model.id)).group_by(model.state))).all())
    return {state: int(counts.get(state, 0)) for state in states}


async def debts(db: AsyncSession) -> list[Debt]:
    """What payees owe back from refused reversals, not yet netted from a later transfer."""
    owed = func.sum(PayoutCarry.amount)
    stmt = (
        select(PayoutCarry.payee_id, User.display_name, PayoutCarry.currency, owed)
        .join(User, User.id == PayoutCarry.payee_id)
        .group_by(PayoutCarry.payee_id, User.display_name, PayoutCarry.currency)
        .having(owed > 0)
        .order_by(owed.desc(), PayoutCarry.payee_id)
    )
    return [Debt(int(p), name, c, int(a)) for p, name, c, a in await db.execute(stmt)]


async def books(db: AsyncSession, fee_bps: int, report: Callable[[Finding], None] | None = None) -> Books:
    return Books(
        findings=await run_all(db, fee_bps, report=report),
        fee_bps=fee_bps,
        fee_income=await fee_income(db, fee_bps),
        transfers=await _by_state(db, PayoutTransfer, [s.value for s in TransferState]),
        reversals=await _by_state(db, PayoutReversal, [s.value for s in ReversalState]),
        debts=await debts(db),
    )


async def read_books(sessions: async_sessionmaker[AsyncSession], fee_bps: int) -> Books:
    """The books as of one moment (a snapshot of their own, whatever the request's session holds)."""
    async with snapshot(sessions) as db:
        return await books(db, fee_bps)
