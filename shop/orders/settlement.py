"""Payments applied to orders: attempts, and the forward-only move on a fresh PaymentIntent.

Stripe's word is taken only from a PaymentIntent we just retrieved (or created/confirmed), never
from a webhook body. Applying the same intent twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import StripeFailure
from payments.gateway import Intent, StripeGateway
from payments.models import PaymentAttempt, Refund
from shop.cart.models import Cart
from shop.catalog.models import StockReason
from shop.core import stored_words
from shop.core.i18n import N_
from shop.core.keys import new_key
from shop.inventory.locks import lock_variants
from shop.inventory.services import held_quantities, move_stock
from shop.orders import states
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Order, OrderStatus, ReservationState, StockReservation
from shop.orders.services import now, release_holds

log = logging.getLogger("zhongcao.orders")


async def current_attempt(db: AsyncSession, order: Order) -> PaymentAttempt | None:
    stmt = (
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order.id)
        .order_by(PaymentAttempt.number.desc())
    )
    return (await db.scalars(stmt.limit(1))).first()


async def new_attempt(db: AsyncSession, order: Order) -> PaymentAttempt:
    """Store the idempotency key before Stripe hears of it; a retry reuses the same row and key."""
    latest = await current_attempt(db, order)
    number = (latest.number + 1) if latest else 1
    attempt = PaymentAttempt(
        order_id=order.id,
        number=number,
        idempotency_key=new_key("order", order.id, "pi", number),
        amount=order.total_amount,
        currency=order.currency,
        status="new",
    )
    db.add(attempt)
    await db.flush()
    return attempt


async def claim_attempt(db: AsyncSession, attempt: PaymentAttempt) -> bool:
    """Only one request creates the PaymentIntent of an attempt (the sandbox ignores idempotency keys)."""
    result = await db.execute(
        update(PaymentAttempt)
        .where(PaymentAttempt.id == attempt.id, PaymentAttempt.status == "new")
        .values(status="creating")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_intent(db: AsyncSession, attempt: PaymentAttempt, intent: Intent) -> None:
    attempt.payment_intent_id = intent.id
    attempt.client_secret = intent.client_secret or attempt.client_secret
    attempt.status = intent.status
    attempt.error_message = intent.error_message
    await db.flush()


async def attempt_for_intent(db: AsyncSession, intent: Intent) -> PaymentAttempt | None:
    attempt = await db.scalar(select(PaymentAttempt).where(PaymentAttempt.payment_intent_id == intent.id))
    if attempt is None and (order_id := intent.metadata.get("order_id", "")).isdigit():
        # The PaymentIntent exists but its id was never stored (we crashed after creating it).
        number = int(intent.metadata.get("attempt", "1") or 1)
        attempt = await db.scalar(
            select(PaymentAttempt).where(
                PaymentAttempt.order_id == int(order_id), PaymentAttempt.number == number
            )
        )
        if attempt is not None and attempt.payment_intent_id is None:
            await record_intent(db, attempt, intent)
    return attempt


async def apply_intent(db: AsyncSession, events: OrderEvents, intent: Intent) -> Order | None:
    """Move the order of this PaymentIntent forward from its current state. None: order not visible yet."""
    attempt = await attempt_for_intent(db, intent)
    if attempt is None:
        return None
    await db.execute(update(Order).where(Order.id == attempt.order_id).values(status=Order.status))
    order = await db.scalar(
        select(Order).where(Order.id == attempt.order_id).execution_options(populate_existing=True)
    )
    if order is None:
        return None
    attempt.status, attempt.error_message = intent.status, intent.error_message
    if intent.status == "succeeded" and order.status not in states.PAID_STATES:
        await _settle_paid(db, events, order, intent)
    await db.flush()
    return order


async def _settle_paid(db: AsyncSession, events: OrderEvents, order: Order, intent: Intent) -> None:
    if intent.amount != order.total_amount or intent.currency != order.currency:
        _hold_for_an_operator(order, intent)
        return
    demand: dict[int, int] = defaultdict(int)
    for line in order.lines:
        if not line.allocated:  # allocated lines took their stock when the flash sale launched
            demand[line.variant_id] += line.quantity
    variants = await lock_variants(db, demand)
    holds = (await db.scalars(select(StockReservation).where(StockReservation.order_id == order.id))).all()
    still_held = {h.variant_id for h in holds if h.state == ReservationState.HELD.value}
    others = await held_quantities(db, demand, exclude_order=order.id)
    short = [
        v
        for v, q in demand.items()
        if v not in still_held and variants[v].stock_on_hand - others.get(v, 0) < q
    ]
    if short or not await events.can_deliver(db, order):
        await _refund_in_full(db, order)
        return
    for variant_id, quantity in sorted(demand.items()):
        await move_stock(db, variant_id, -quantity, StockReason.SALE, order.user_id)
    await db.execute(
        update(StockReservation)
        .where(StockReservation.order_id == order.id)
        .values(state=ReservationState.CONSUMED.value)
    )
    late = order.status == OrderStatus.CANCELED
    states.move(
        order, OrderStatus.PAID, N_("Paid after the hold expired; stock was still there.") if late else ""
    )
    order.paid_at = now()
    await _empty_bought_lines(db, order)
    await events.announce(db, OrderNews(OrderEvent.PAID, order, amount=order.total_amount))


HELD_FOR_AN_OPERATOR = stored_words.stored(
    N_("Payment %(intent)s was %(paid)s, not %(due)s: held for an operator.")
)


def _hold_for_an_operator(order: Order, intent: Intent) -> None:
    """A charge that is not the order's total is never taken as paying it (nothing ships, nobody
    earns). The order stays unpaid, its reason says why, and the audit's I3 lists the charge (a
    succeeded payment on an unpaid order) until an operator refunds it."""
    paid = f"{intent.amount} {intent.currency}"
    due = f"{order.total_amount} {order.currency}"
    order.status_reason = stored_words.fill(HELD_FOR_AN_OPERATOR, intent=intent.id, paid=paid, due=due)[:200]
    log.error("order %s: paid %s but the order is %s; not marked paid", order.id, paid, due)


async def _refund_in_full(db: AsyncSession, order: Order) -> None:
    await release_holds(db, order)
    states.move(
        order,
        OrderStatus.REFUNDED,
        N_("Paid after the hold expired and the stock was gone: refunded in full."),
    )
    order.refunded_amount = order.total_amount
    for line in order.lines:
        line.refunded_amount = line.total_amount
    db.add(
        Refund(
            order_id=order.id,
            amount=order.total_amount,
            currency=order.currency,
            reason="automatic: stock sold out before the late payment",
            idempotency_key=new_key("order", order.id, "auto"),
        )
    )


async def _empty_bought_lines(db: AsyncSession, order: Order) -> None:
    if order.checkout_key.startswith(("room:", "flash:")):
        return  # bought straight from a live room: whatever is in the cart is still wanted
    cart = await db.scalar(select(Cart).where(Cart.user_id == order.user_id))
    if cart is None:
        return
    bought = {(ln.variant_id, ln.source_type, ln.source_id): ln.quantity for ln in order.lines}
    for line in list(cart.lines):
        left = line.quantity - bought.get((line.variant_id, line.source_type, line.source_id), 0)
        if left <= 0:
            await db.delete(line)
        else:
            line.quantity = left


async def refresh_from_stripe(
    db: AsyncSession, gateway: StripeGateway, events: OrderEvents, order: Order
) -> Order:
    """Show Stripe's truth: an unpaid order is checked against its PaymentIntent, never a URL parameter.

    Best effort: when Stripe does not know the intent or cannot be reached, the order shows its last
    known state (the jobs and the webhook bring it in line later)."""
    attempt = await current_attempt(db, order)
    if order.status == OrderStatus.PENDING_PAYMENT and attempt is not None and attempt.payment_intent_id:
        try:
            intent = await gateway.retrieve_intent(attempt.payment_intent_id)
        except StripeFailure as error:
            log.warning("order %s: shown as last known, Stripe failed: %s", order.id, error.message)
            return order
        await apply_intent(db, events, intent)
        await db.refresh(order)
    return order
