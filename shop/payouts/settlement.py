"""What each payee is owed from an order, and planning the transfers that pay it.

An order is payable once every line shipped (or was refunded in full) and `RETURN_WINDOW_DAYS`
passed since the last parcel. Its payees are each merchant with lines on it and each creator with a
commission on it. What a payee is owed (`target`) is always recomputed from the lines, their refunds
and the commission ledger, never stored:

    merchant  Σ lines - Σ refunded - Σ commissions on its lines - floor((Σ lines - Σ refunded) * fee)
    creator   Σ its commissions on the order (the ledger's entries)

Planning writes one `PayoutTransfer` per payee with its idempotency key, nets what the payee owes
from refused reversals (`PayoutCarry`), and marks the commissions `in_transfer`; sending is
`sending.py`'s. Planning locks the order's row, so two runs at once plan an order once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.commissions.models import Commission, CommissionEntry, CommissionState
from shop.core import clock
from shop.core.keys import new_key
from shop.inventory.locks import lock_order
from shop.orders.models import Order, OrderLine
from shop.payouts.models import PayeeRole, PayoutCarry, PayoutTransfer, SettledOrder, TransferState

LIVE_TRANSFERS = (TransferState.PLANNED, TransferState.SENDING, TransferState.SENT)


@dataclass(frozen=True, slots=True)
class Share:
    """One payee's due from one order (a merchant's also says how it was reached)."""

    role: PayeeRole
    payee_id: int
    amount: int
    merchant_id: int | None = None
    gross: int = 0
    refunded: int = 0
    commissions: int = 0
    platform_fee: int = 0


async def commission_sums(db: AsyncSession, order_id: int) -> dict[int, int]:
    """{order_line_id: Σ entries} for the order's commissions."""
    return await commission_sums_for(db, [order_id])


async def commission_sums_for(db: AsyncSession, order_ids: list[int]) -> dict[int, int]:
    """{order_line_id: Σ entries} for the commissions of these orders (one query)."""
    if not order_ids:
        return {}
    stmt = (
        select(Commission.order_line_id, func.coalesce(func.sum(CommissionEntry.amount), 0))
        .join(CommissionEntry, CommissionEntry.commission_id == Commission.id)
        .where(Commission.order_id.in_(order_ids))
        .group_by(Commission.order_line_id)
    )
    return {line_id: int(total) for line_id, total in (await db.execute(stmt)).all()}


async def shares(db: AsyncSession, order: Order, fee_bps: int) -> list[Share]:
    """Every payee's due from the order now, merchants first, in id order."""
    by_line = await commission_sums(db, order.id)
    creators: dict[int, int] = defaultdict(int)
    merchants: dict[int, list[OrderLine]] = defaultdict(list)
    for line in order.lines:
        merchants[line.merchant_id].append(line)
        if line.creator_id is not None:
            creators[line.creator_id] += by_line.get(line.id, 0)
    owners = dict(
        (await db.execute(select(Merchant.id, Merchant.owner_id).where(Merchant.id.in_(merchants)))).all()
    )
    result = [merchant_share(m, owners[m], lines, by_line, fee_bps) for m, lines in sorted(merchants.items())]
    result += [Share(PayeeRole.CREATOR, c, amount) for c, amount in sorted(creators.items())]
    return result


def merchant_share(
    merchant_id: int, owner_id: int, lines: list[OrderLine], by_line: dict[int, int], fee_bps: int
) -> Share:
    gross = sum(line.total_amount for line in lines)
    refunded = sum(line.refunded_amount for line in lines)
    commissions = sum(by_line.get(line.id, 0) for line in lines)
    fee = (gross - refunded) * fee_bps // 10_000
    net = max(gross - refunded - commissions - fee, 0)
    return Share(PayeeRole.MERCHANT, owner_id, net, merchant_id, gross, refunded, commissions, fee)


def payable_orders_query(window: timedelta) -> Select[Any]:
    """Orders whose last parcel left `window` ago and that no run has planned yet."""
    planned = select(SettledOrder.id).where(SettledOrder.order_id == Order.id)
    return (
        select(Order.id)
        .where(Order.fulfilled_at.is_not(None), Order.fulfilled_at <= clock.now() - window, ~planned.exists())
        .order_by(Order.id)
    )


async def plan_order(
    db: AsyncSession, order_id: int, fee_bps: int, window: timedelta
) -> list[PayoutTransfer]:
    """Plan the order's transfers once (the order's row lock makes a second run wait, then skip)."""
    order = await lock_order(db, order_id)
    if order is None or order.fulfilled_at is None or order.fulfilled_at > clock.now() - window:
        return []
    if await db.scalar(select(SettledOrder.id).where(SettledOrder.order_id == order_id)) is not None:
        return []
    db.add(SettledOrder(order_id=order_id))  # planned once, even when nobody is owed anything
    planned = []
    for share in await shares(db, order, fee_bps):
        if share.amount > 0:
            planned.append(await plan_share(db, order, share))
    await db.flush()
    return planned


async def plan_share(db: AsyncSession, order: Order, share: Share) -> PayoutTransfer:
    count = await db.scalar(
        select(func.count(PayoutTransfer.id)).where(
            PayoutTransfer.order_id == order.id,
            PayoutTransfer.payee_id == share.payee_id,
            PayoutTransfer.role == share.role,
        )
    )
    transfer = PayoutTransfer(
        payee_id=share.payee_id,
        role=share.role.value,
        order_id=order.id,
        merchant_id=share.merchant_id,
        amount=share.amount,
        currency=order.currency,
        platform_fee=share.platform_fee,
        transfer_group=f"order_{order.id}",
        idempotency_key=new_key(
            "transfer-order", order.id, share.role.value, share.payee_id, (count or 0) + 1
        ),
    )
    db.add(transfer)
    await db.flush()
    await net_debts(db, transfer)
    if share.role == PayeeRole.CREATOR:
        await _take_commissions(db, order.id, share.payee_id, transfer.id)
    if transfer.amount == 0:
        await settled_by_debt(db, transfer)
    return transfer


async def settled_by_debt(db: AsyncSession, transfer: PayoutTransfer) -> None:
    """All of it was kept back for a debt: nothing moves, and what it carried counts as paid."""
    transfer.state, transfer.sent_at = TransferState.SENT.value, clock.now()
    await db.execute(
        update(Commission)
        .where(Commission.transfer_id == transfer.id)
        .values(state=CommissionState.PAID.value, paid_at=clock.now())
    )


async def net_debts(db: AsyncSession, transfer: PayoutTransfer) -> None:
    """Keep back what the payee owes from refused reversals (the debts ledger gets a - entry)."""
    owed = await db.scalar(
        select(func.coalesce(func.sum(PayoutCarry.amount), 0)).where(
            PayoutCarry.payee_id == transfer.payee_id, PayoutCarry.currency == transfer.currency
        )
    )
    kept = min(int(owed or 0), transfer.amount)
    if kept > 0:
        transfer.amount -= kept
        transfer.netted = kept
        db.add(
            PayoutCarry(
                payee_id=transfer.payee_id, currency=transfer.currency, amount=-kept, transfer_id=transfer.id
            )
        )


async def _take_commissions(db: AsyncSession, order_id: int, creator_id: int, transfer_id: int) -> None:
    rows = await db.scalars(
        select(Commission).where(
            Commission.order_id == order_id,
            Commission.creator_id == creator_id,
            Commission.state.in_([CommissionState.PENDING, CommissionState.PAYABLE]),
        )
    )
    for commission in rows:
        commission.state, commission.transfer_id = CommissionState.IN_TRANSFER.value, transfer_id
