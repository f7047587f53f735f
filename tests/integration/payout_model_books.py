"""The payout state machine's model (what each line, order and payee is worth) and the checks that
hold the real books to it. `test_payout_model.py` drives the app; this says what must be true."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.payouts.models import PayoutCarry, PayoutReversal, PayoutTransfer, ReversalState, TransferState
from tests.integration.payout_helpers import FEE_BPS, WINDOW_DAYS

SHOPS, CREATOR = (0, 1), 2  # payees: the two shops' owners, then the creator
UNSENT = (TransferState.PLANNED, TransferState.SENDING)
BEING_REVERSED = (ReversalState.PLANNED, ReversalState.SENDING)


@dataclass
class Line:
    id: int
    shop: int
    total: int
    bps: int | None  # None: bought straight from the shop, nobody is credited
    refunded: int = 0
    shipped_at: datetime | None = None

    def commission(self) -> int:
        return (self.total - self.refunded) * self.bps // 10_000 if self.bps else 0

    def accrued(self) -> int:
        return self.total * self.bps // 10_000 if self.bps else 0

    def done(self) -> bool:
        """Shipped, or refunded in full (it never will ship)."""
        return self.shipped_at is not None or self.refunded == self.total

    def shippable(self) -> bool:
        return not self.done()


@dataclass
class Order:
    id: int
    total: int
    lines: list[Line]
    charge_id: str = ""
    fulfilled_at: datetime | None = None
    planned: bool = False  # a settlement run planned its transfers
    merchant_transfer: set[int] = field(default_factory=set)  # shops a transfer was planned for
    creator_transfer: str | None = None  # None, "planned" or "sent"

    def left(self, shop: int) -> int:
        return sum(ln.total - ln.refunded for ln in self.lines if ln.shop == shop)

    def share(self, payee: int) -> int:
        """What the payee is owed from this order now (settlement's formula, kept independently)."""
        if payee == CREATOR:
            return sum(ln.commission() for ln in self.lines)
        mine = [ln for ln in self.lines if ln.shop == payee]
        kept = sum(ln.total - ln.refunded for ln in mine)
        fee = kept * FEE_BPS // 10_000
        return max(kept - sum(ln.commission() for ln in mine) - fee, 0)

    def holds(self, payee: int) -> bool:
        """Was the payee sent money from this order (a refund then takes some back)?"""
        return self.creator_transfer == "sent" if payee == CREATOR else payee in self.merchant_transfer


async def debt(db: AsyncSession, user_id: int) -> int:
    """What the payee owes back: refused reversals, less what later transfers kept back."""
    owed = await db.scalar(
        select(func.coalesce(func.sum(PayoutCarry.amount), 0)).where(PayoutCarry.payee_id == user_id)
    )
    return int(owed or 0)


async def reversing(db: AsyncSession, user_id: int) -> int:
    """What is being taken back from the payee: their planned (or sending) reversals."""
    total = await db.scalar(
        select(func.coalesce(func.sum(PayoutReversal.amount), 0))
        .join(PayoutTransfer, PayoutTransfer.id == PayoutReversal.transfer_id)
        .where(PayoutTransfer.payee_id == user_id, PayoutReversal.state.in_(BEING_REVERSED))
    )
    return int(total or 0)


async def taken_back(db: AsyncSession, user_id: int) -> int:
    """Being reversed, plus owed: what a refund after the payout takes back from the payee."""
    return await reversing(db, user_id) + await debt(db, user_id)


async def sent_count(db: AsyncSession, user_id: int) -> int:
    stmt = select(func.count(PayoutTransfer.id)).where(
        PayoutTransfer.payee_id == user_id, PayoutTransfer.state == TransferState.SENT
    )
    return int(await db.scalar(stmt) or 0)


async def _stripe_lists(sandbox: str, key: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every transfer and charge on the local server (emptied before each example): one call each."""
    found = []
    # 30 s, not httpx's 5: on a loaded 2-core machine the local server once took longer to accept.
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=sandbox, headers=headers, timeout=30) as api:
        for path in ("/v1/transfers", "/v1/charges"):
            page = (await api.get(path, params={"limit": 100})).json()
            assert page["has_more"] is False
            found.append(page["data"])
    return found[0], {charge["id"]: charge for charge in found[1]}


async def stripe_transfers(
    db: AsyncSession, sandbox: str, key: str, orders: list[Order]
) -> dict[int, list[dict[str, Any]]]:
    """Stripe's transfers of each paid order: exactly the ones our rows say were sent, each once,
    none before a run planned the order; within the charge once what is being (or could not be)
    reversed is counted back. Stripe's charge has the order's total and refunds."""
    transfers, charges = await _stripe_lists(sandbox, key)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for transfer in transfers:
        by_group[str(transfer["transfer_group"])].append(transfer)
    sent: dict[int | None, list[str | None]] = defaultdict(list)
    rows = await db.execute(
        select(PayoutTransfer.order_id, PayoutTransfer.stripe_transfer_id).where(
            PayoutTransfer.stripe_transfer_id.is_not(None)
        )
    )
    for order_id, stripe_id in rows.all():
        sent[order_id].append(stripe_id)
    held_back = dict(
        (
            await db.execute(
                select(PayoutTransfer.order_id, func.sum(PayoutReversal.amount))
                .join(PayoutTransfer, PayoutTransfer.id == PayoutReversal.transfer_id)
                .where(PayoutReversal.state.in_((*BEING_REVERSED, ReversalState.REFUSED)))
                .group_by(PayoutTransfer.order_id)
            )
        ).all()
    )
    found = {}
    for order in orders:
        mine = by_group.pop(f"order_{order.id}", [])
        assert sorted(t["id"] for t in mine) == sorted(str(i) for i in sent[order.id])
        assert order.planned or mine == []
        charge = charges[order.charge_id]
        assert charge["amount"] == order.total
        assert charge["amount_refunded"] == sum(ln.refunded for ln in order.lines)
        net = sum(t["amount"] - t["amount_reversed"] for t in mine) - int(held_back.get(order.id) or 0)
        assert net <= charge["amount"] - charge["amount_refunded"]
        found[order.id] = mine
    assert by_group == {}  # no transfer outside the example's orders
    return found


async def payee_is_square(
    db: AsyncSession,
    user_id: int,
    account: str | None,
    due: int,
    stripe: dict[int, list[dict[str, Any]]],
) -> None:
    """Held at Stripe + planned - being reversed - owed = Σ of the settled orders' shares (`due`)."""
    at_stripe = sum(
        t["amount"] - t["amount_reversed"]
        for ts in stripe.values()
        for t in ts
        if t["destination"] == account
    )
    planned = await db.scalar(
        select(func.coalesce(func.sum(PayoutTransfer.amount), 0)).where(
            PayoutTransfer.payee_id == user_id, PayoutTransfer.state.in_(UNSENT)
        )
    )
    taking, owed = await reversing(db, user_id), await debt(db, user_id)
    held = at_stripe + int(planned or 0) - taking - owed
    assert held == due, (user_id, held, due, at_stripe, planned, taking, owed)


def expected_earnings(orders: list[Order], now: datetime) -> dict[str, int]:
    """The creator's totals by state: floor((paid - refunded) * bps / 10000) per line, summed; a
    commission is payable once its parcel's window closed, in transfer once a run took it, paid
    once that transfer was sent; `reversed` is what refunds took off the accruals."""
    expected: dict[str, int] = dict.fromkeys(("pending", "payable", "in_transfer", "paid", "reversed"), 0)
    window = timedelta(days=WINDOW_DAYS)
    for order in orders:
        for line in order.lines:
            expected["reversed"] += line.accrued() - line.commission()
            if order.creator_transfer is not None:
                state = "paid" if order.creator_transfer == "sent" else "in_transfer"
            elif line.shipped_at is not None and line.shipped_at + window <= now:
                state = "payable"
            else:
                state = "pending"
            expected[state] += line.commission()
    return expected


def settlements_match(items: list[dict[str, Any]], shop: int, orders: list[Order]) -> None:
    """The shop's settlements: each of its orders' refunds and net as the model has them."""
    rows = {item["order_id"]: item for item in items}
    for order in orders:
        if any(ln.shop == shop for ln in order.lines):
            row = rows[order.id]
            assert row["net"]["amount"] == order.share(shop)
            assert row["refunded"]["amount"] == sum(ln.refunded for ln in order.lines if ln.shop == shop)
            assert row["state"] == ("sent" if shop in order.merchant_transfer else "unsettled")
