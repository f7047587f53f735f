"""Refunds made outside the app (in Stripe's dashboard) reach the order, so it cannot drift.

Stripe's `amount_refunded` on the charge is the truth. Our side is every refund we sent or are
sending (a pending one is already reserved on the order). Whatever Stripe has refunded beyond that
was done elsewhere: it is recorded as one refund row for the difference, spread over the lines in
id order, and announced like any other refund. Replaying the event finds no difference.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import Charge
from payments.models import PaymentAttempt, Refund
from shop.core.i18n import N_
from shop.orders import fulfilment, states
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Order


async def apply_charge_refunds(db: AsyncSession, events: OrderEvents, charge: Charge) -> bool:
    """False when the order is not visible yet (the event is kept and retried)."""
    attempt = await db.scalar(
        select(PaymentAttempt).where(PaymentAttempt.payment_intent_id == charge.payment_intent_id)
    )
    if attempt is None or charge.payment_intent_id is None:
        return False
    await db.execute(update(Order).where(Order.id == attempt.order_id).values(status=Order.status))
    order = await db.scalar(
        select(Order).where(Order.id == attempt.order_id).execution_options(populate_existing=True)
    )
    if order is None or order.status not in states.PAID_STATES:
        return order is not None  # nothing was paid through us: nothing to bring in line
    ours = await db.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.order_id == order.id, Refund.status != "failed"
        )
    )
    outside = min(charge.amount_refunded - int(ours or 0), order.total_amount - order.refunded_amount)
    if outside > 0:
        await _record(db, events, order, charge, outside)
    return True


async def _record(db: AsyncSession, events: OrderEvents, order: Order, charge: Charge, amount: int) -> None:
    known = set((await db.scalars(select(Refund.stripe_refund_id).where(Refund.order_id == order.id))).all())
    stripe_id = next((r.id for r in reversed(charge.refunds) if r.id not in known), None)
    order.refunded_amount += amount
    split: dict[int, int] = {}
    left = amount
    for line in sorted(order.lines, key=lambda ln: ln.id):
        take = min(left, line.total_amount - line.refunded_amount)
        if take:
            line.refunded_amount += take
            split[line.id] = take
            left -= take
    states.move(order, states.status_after_refund(order), N_("Refunded in Stripe's dashboard."))
    refund = Refund(
        order_id=order.id,
        amount=amount,
        currency=order.currency,
        reason="refunded outside the app (Stripe dashboard)",
        idempotency_key=f"outside-{charge.id}-{charge.amount_refunded}",
        stripe_refund_id=stripe_id,
        status="succeeded",
    )
    db.add(refund)
    await db.flush()
    fulfilment.complete_if_done(order)
    news = OrderNews(OrderEvent.REFUNDED, order, amount=amount, lines=split, refund_id=refund.id)
    await events.announce(db, news)
