"""The commission ledger's one writer, listening to what orders announce (orders know nothing of it).

paid       attribute each line (once), accrue floor(line_total * bps / 10000)
refunded   bring each refunded line's commission back to the formula on what is left: adjust or
           reverse before the payout, claw back after it (shop.payouts reverses the transfer)
fulfilled  the parcel's lines become payable when RETURN_WINDOW_DAYS have passed
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.commissions.attribution import credit_for
from shop.commissions.models import TRANSFERRED, Commission, CommissionEntry, CommissionState, EntryKind
from shop.core import clock
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import FulfilmentLine, Order, OrderLine


def owed(line: OrderLine, bps: int) -> int:
    """What a line's commission is worth now: on what the shopper paid and kept, rounded down."""
    return max(line.total_amount - line.refunded_amount, 0) * bps // 10_000


def listen_to_orders(events: OrderEvents, return_window_days: int) -> None:
    async def paid(db: AsyncSession, news: OrderNews) -> None:
        await accrue(db, news.order)

    async def refunded(db: AsyncSession, news: OrderNews) -> None:
        await resync(db, news.order, news.refund_id)

    async def fulfilled(db: AsyncSession, news: OrderNews) -> None:
        if news.fulfilment_id is not None:
            await start_window(db, news.fulfilment_id, timedelta(days=return_window_days))

    events.on(OrderEvent.PAID, "commissions", paid)
    events.on(OrderEvent.REFUNDED, "commissions", refunded)
    events.on(OrderEvent.FULFILLED, "commissions", fulfilled)


async def accrue(db: AsyncSession, order: Order) -> int:
    """Fix each line's credit and accrue its commission; a line already credited is left alone."""
    credited = set(
        (await db.scalars(select(Commission.order_line_id).where(Commission.order_id == order.id))).all()
    )
    made = 0
    for line in order.lines:
        if line.id in credited or line.creator_id is not None:
            continue
        credit = await credit_for(db, order.user_id, line, order.created_at)
        if credit is None:
            continue
        line.creator_id, line.deal_id = credit.creator_id, credit.deal_id
        line.collaboration_id, line.commission_bps = credit.collaboration_id, credit.commission_bps
        if credit.commission_bps == 0:
            continue  # credited (a flat-fee deal) but no commission on the line
        commission = Commission(
            order_line_id=line.id,
            order_id=order.id,
            creator_id=credit.creator_id,
            merchant_id=line.merchant_id,
            deal_id=credit.deal_id,
            collaboration_id=credit.collaboration_id,
            commission_bps=credit.commission_bps,
            currency=line.currency,
            entries=[CommissionEntry(kind=EntryKind.ACCRUE, amount=owed(line, credit.commission_bps))],
        )
        db.add(commission)
        made += 1
    await db.flush()
    return made


async def resync(db: AsyncSession, order: Order, refund_id: int | None) -> None:
    """Write the entry that brings each of the order's commissions to what its line is worth now."""
    rows = (
        await db.scalars(select(Commission).where(Commission.order_id == order.id).order_by(Commission.id))
    ).all()
    lines = {line.id: line for line in order.lines}
    for commission in rows:
        delta = owed(lines[commission.order_line_id], commission.commission_bps) - commission.amount
        if delta == 0:
            continue
        if commission.state in TRANSFERRED:
            kind = EntryKind.CLAWBACK
        elif commission.amount + delta == 0:
            kind, commission.state = EntryKind.REVERSE, CommissionState.REVERSED.value
        else:
            kind = EntryKind.ADJUST
        entry = CommissionEntry(commission_id=commission.id, kind=kind, amount=delta, refund_id=refund_id)
        db.add(entry)
        commission.entries.append(entry)
    await db.flush()


async def start_window(db: AsyncSession, fulfilment_id: int, window: timedelta) -> None:
    """The parcel's lines shipped now: their commissions may be paid once the return window closes."""
    shipped = select(FulfilmentLine.order_line_id).where(FulfilmentLine.fulfilment_id == fulfilment_id)
    await db.execute(
        update(Commission)
        .where(Commission.order_line_id.in_(shipped), Commission.payable_at.is_(None))
        .values(payable_at=clock.now() + window)
    )


async def mark_payable(db: AsyncSession) -> int:
    """Pending commissions whose window closed become payable (a settlement run's first step)."""
    moved = await db.execute(
        update(Commission)
        .where(Commission.state == CommissionState.PENDING, Commission.payable_at <= clock.now())
        .values(state=CommissionState.PAYABLE.value)
    )
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]
