"""A refund after a payout: each payee's transfer is brought back to what they are owed now.

Listens to orders' `refunded` (after the commission ledger has written its clawbacks). For every
transfer of the order, what the payee holds from it is `amount - Σ reversals (sent or refused)`; when
that exceeds their new due (`settlement.shares`), a reversal of the difference is planned with its
key, and sent after the commit by the payouts job. A transfer not sent yet is replaced instead (a
key must never be reused with another amount).
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.commissions.models import Commission
from shop.core.keys import new_key
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Order
from shop.payouts.models import (
    PayoutCarry,
    PayoutReversal,
    PayoutTransfer,
    ReversalState,
    TransferState,
)
from shop.payouts.refusals import give_back_debts, replan_share
from shop.payouts.settlement import Share, plan_share, shares

COUNTED = (ReversalState.PLANNED, ReversalState.SENDING, ReversalState.SENT, ReversalState.REFUSED)


def listen_to_orders(events: OrderEvents, fee_bps: int) -> None:
    async def refunded(db: AsyncSession, news: OrderNews) -> None:
        await claw_back(db, news.order, fee_bps, news.refund_id)

    events.on(OrderEvent.REFUNDED, "payouts", refunded)


async def reversed_so_far(db: AsyncSession, transfer_id: int) -> int:
    total = await db.scalar(
        select(func.coalesce(func.sum(PayoutReversal.amount), 0)).where(
            PayoutReversal.transfer_id == transfer_id, PayoutReversal.state.in_(COUNTED)
        )
    )
    return int(total or 0)


async def claw_back(db: AsyncSession, order: Order, fee_bps: int, refund_id: int | None) -> int:
    """Plan the reversals the order's refunds call for; returns how many were planned."""
    transfers = (
        await db.scalars(
            select(PayoutTransfer)
            .where(PayoutTransfer.order_id == order.id, PayoutTransfer.state != TransferState.FAILED)
            .order_by(PayoutTransfer.id)
        )
    ).all()
    if not transfers:
        return 0
    due = {(s.role.value, s.payee_id): s for s in await shares(db, order, fee_bps)}
    planned = 0
    for transfer in transfers:
        share = due.get((transfer.role, transfer.payee_id))
        owed_now = share.amount if share else 0
        if transfer.state == TransferState.PLANNED:
            await _resize(db, order, transfer, share)
            continue
        if transfer.state == TransferState.REFUSED:  # what it asked for has changed: ask again
            await replan_share(db, order, transfer, fee_bps)
            continue
        held = transfer.amount + transfer.netted - await reversed_so_far(db, transfer.id)
        held -= await debts_restored(db, transfer.id)
        if held > owed_now:
            planned += await _take_back(db, transfer, held - owed_now, refund_id)
    await db.flush()
    return planned


async def debts_restored(db: AsyncSession, transfer_id: int) -> int:
    """Debts this transfer had settled by netting that a later refund made owed again."""
    stmt = select(func.coalesce(func.sum(PayoutCarry.amount), 0)).where(
        PayoutCarry.transfer_id == transfer_id, PayoutCarry.amount > 0
    )
    return int(await db.scalar(stmt) or 0)


async def _take_back(db: AsyncSession, transfer: PayoutTransfer, excess: int, refund_id: int | None) -> int:
    """Reverse what Stripe still holds of the transfer; what it never sent because it was netted
    against a debt, the payee owes again (the debt comes back on the debts ledger)."""
    left = transfer.amount - await reversed_so_far(db, transfer.id)
    reversal = min(excess, max(left, 0))
    owed_again = min(excess - reversal, transfer.netted - await debts_restored(db, transfer.id))
    if owed_again > 0:
        db.add(
            PayoutCarry(
                payee_id=transfer.payee_id,
                currency=transfer.currency,
                amount=owed_again,
                transfer_id=transfer.id,
            )
        )
    return await _plan_reversal(db, transfer, reversal, refund_id) if reversal > 0 else 0


async def _plan_reversal(
    db: AsyncSession, transfer: PayoutTransfer, amount: int, refund_id: int | None
) -> int:
    """Reverse at most what is left of the Stripe transfer itself (netted debts never left us)."""
    left = transfer.amount - await reversed_so_far(db, transfer.id)
    amount = min(amount, left)
    if amount <= 0:
        return 0
    count = await db.scalar(
        select(func.count(PayoutReversal.id)).where(PayoutReversal.transfer_id == transfer.id)
    )
    db.add(
        PayoutReversal(
            transfer_id=transfer.id,
            amount=amount,
            refund_id=refund_id,
            idempotency_key=new_key("reversal", transfer.id, int(count or 0) + 1),
        )
    )
    return 1


async def _resize(db: AsyncSession, order: Order, transfer: PayoutTransfer, share: Share | None) -> None:
    """An unsent transfer whose amount a refund changed. Never tried: the same row and key take the
    new amount. Tried already (the key may have reached Stripe): retired, and a new one planned."""
    owed_now = share.amount if share else 0
    if owed_now == transfer.amount + transfer.netted:
        return
    if transfer.failures == 0:
        transfer.amount = max(owed_now - transfer.netted, 0)
        if transfer.amount == 0:
            transfer.state, transfer.last_error = TransferState.FAILED.value, "nothing left to pay"
            give_back_debts(db, transfer)
        return
    transfer.state, transfer.last_error = TransferState.FAILED.value, "replaced: a refund changed the amount"
    give_back_debts(db, transfer)
    if share is not None and share.amount > 0:
        replacement = await plan_share(db, order, share)
        await db.execute(
            update(Commission).where(Commission.transfer_id == transfer.id).values(transfer_id=replacement.id)
        )
