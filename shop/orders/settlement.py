"""Payments applied to orders: attempts, the forward-only move on a fresh PaymentIntent, refunds.

Stripe's word is taken only from a PaymentIntent we just retrieved (or created/confirmed), never
from a webhook body. Applying the same intent twice changes nothing the second time.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import Intent, StripeGateway
from payments.models import PaymentAttempt, Refund
from shop.accounts.models import Merchant
from shop.cart.models import Cart
from shop.catalog.models import StockMovement
from shop.core.errors import AppError, Conflict, NotFound
from shop.orders import states
from shop.orders.models import HoldState, Order, OrderLine, OrderStatus, StockReservation
from shop.orders.services import held_quantities, lock_variants, now, release_holds

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
        idempotency_key=f"order-{order.id}-pi-{number}",
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


async def apply_intent(db: AsyncSession, intent: Intent) -> Order | None:
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
        await _settle_paid(db, order, intent)
    await db.flush()
    return order


PaidHook = Callable[[AsyncSession, Order], Awaitable[bool]]
_paid_hooks: dict[str, PaidHook] = {}


def on_paid(name: str, hook: PaidHook) -> None:
    """Run `hook` when an order is about to become paid; False means "cannot deliver": refund instead.

    `live` registers one (through the composition root) for lines whose stock a flash sale allocated.
    """
    _paid_hooks[name] = hook  # by name: building the app again replaces, never stacks


async def _settle_paid(db: AsyncSession, order: Order, intent: Intent) -> None:
    if intent.amount != order.total_amount or intent.currency != order.currency:
        log.error(
            "order %s: paid %s %s but the order is %s %s",
            order.id,
            intent.amount,
            intent.currency,
            order.total_amount,
            order.currency,
        )
    demand: dict[int, int] = defaultdict(int)
    for line in order.lines:
        if not line.allocated:  # allocated lines took their stock when the flash sale launched
            demand[line.variant_id] += line.quantity
    variants = await lock_variants(db, demand)
    holds = (await db.scalars(select(StockReservation).where(StockReservation.order_id == order.id))).all()
    still_held = {h.variant_id for h in holds if h.state == HoldState.HELD.value}
    others = await held_quantities(db, demand, exclude_order=order.id)
    short = [
        v
        for v, q in demand.items()
        if v not in still_held and variants[v].stock_on_hand - others.get(v, 0) < q
    ]
    if short or not all([await hook(db, order) for hook in _paid_hooks.values()]):
        await _refund_in_full(db, order)
        return
    for variant_id, quantity in demand.items():
        variant = variants[variant_id]
        variant.stock_on_hand -= quantity
        db.add(
            StockMovement(
                variant_id=variant_id,
                delta=-quantity,
                balance_after=variant.stock_on_hand,
                reason="sale",
                actor_id=order.user_id,
            )
        )
    await db.execute(
        update(StockReservation)
        .where(StockReservation.order_id == order.id)
        .values(state=HoldState.CONSUMED.value)
    )
    late = order.status == OrderStatus.CANCELED
    states.move(
        order, OrderStatus.PAID, "Paid after the hold expired; stock was still there." if late else ""
    )
    order.paid_at = now()
    await _empty_bought_lines(db, order)


async def _refund_in_full(db: AsyncSession, order: Order) -> None:
    await release_holds(db, order)
    states.move(
        order, OrderStatus.REFUNDED, "Paid after the hold expired and the stock was gone: refunded in full."
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
            idempotency_key=f"order-{order.id}-auto",
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


async def request_refund(
    db: AsyncSession, order_id: int, merchant: Merchant, amount: int | None, reason: str
) -> Refund:
    """Reserve the amount on the locked order row (the cap holds under concurrency), then record the
    refund with its idempotency key; `execute_refund` calls Stripe after the caller commits."""
    line_total = OrderLine.unit_amount * OrderLine.quantity
    merchant_total = int(
        await db.scalar(
            select(func.coalesce(func.sum(line_total), 0)).where(
                OrderLine.order_id == order_id, OrderLine.merchant_id == merchant.id
            )
        )
        or 0
    )
    if not merchant_total:
        raise NotFound("No such order.")  # not this merchant's order
    await db.execute(update(Order).where(Order.id == order_id).values(refunded_amount=Order.refunded_amount))
    already = int(
        await db.scalar(
            select(func.coalesce(func.sum(Refund.amount), 0)).where(
                Refund.order_id == order_id, Refund.merchant_id == merchant.id, Refund.status != "failed"
            )
        )
        or 0
    )
    left = merchant_total - already
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise Conflict(
            "That is more than is left to refund on your lines.",
            fields={"amount": f"At most {max(left, 0)}."},
        )
    refundable = [s.value for s in states.PAID_STATES - {OrderStatus.REFUNDED}]
    capped = await db.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.refunded_amount + amount <= Order.total_amount,
            Order.status.in_(refundable),
        )
        .values(refunded_amount=Order.refunded_amount + amount)
    )
    if not capped.rowcount:  # type: ignore[attr-defined]
        raise Conflict(
            "This order cannot be refunded by that amount.", fields={"amount": "Over the paid amount."}
        )
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    states.move(order, states.status_after_refund(order), reason)
    _allocate_to_lines([ln for ln in order.lines if ln.merchant_id == merchant.id], amount)
    refund = Refund(
        order_id=order.id,
        merchant_id=merchant.id,
        amount=amount,
        currency=order.currency,
        reason=reason,
        idempotency_key=f"refund-{order.id}-{uuid.uuid4().hex[:16]}",
    )
    db.add(refund)
    await db.flush()
    return refund


async def execute_refund(db: AsyncSession, gateway: StripeGateway, refund: Refund) -> Refund:
    """Send a stored refund to Stripe with its stored key; a failure gives the amount back to the order."""
    attempt = await db.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == refund.order_id, PaymentAttempt.status == "succeeded"
        )
    )
    try:
        if attempt is None or attempt.payment_intent_id is None:
            raise Conflict("No captured payment to refund.")
        result = await gateway.refund(attempt.payment_intent_id, refund.amount, refund.idempotency_key)
    except AppError as error:
        refund.status = "failed"
        order = await db.get(Order, refund.order_id)
        if order is not None and refund.merchant_id is not None:
            order.refunded_amount -= refund.amount  # a correction, not a state change: nothing was refunded
            _unallocate([ln for ln in order.lines if ln.merchant_id == refund.merchant_id], refund.amount)
            order.status = (
                OrderStatus.PAID if order.refunded_amount == 0 else OrderStatus.PARTIALLY_REFUNDED
            ).value
        await db.flush()
        log.warning("refund %s failed: %s", refund.id, error.message)
        raise
    refund.stripe_refund_id, refund.status = result.id, result.status
    await db.flush()
    return refund


async def unsent_refunds(db: AsyncSession) -> list[Refund]:
    return list(
        (await db.scalars(select(Refund).where(Refund.status == "pending").order_by(Refund.id))).all()
    )


async def refresh_from_stripe(db: AsyncSession, gateway: StripeGateway, order: Order) -> Order:
    """Show Stripe's truth: an unpaid order is checked against its PaymentIntent, never a URL parameter."""
    attempt = await current_attempt(db, order)
    if order.status == OrderStatus.PENDING_PAYMENT and attempt is not None and attempt.payment_intent_id:
        await apply_intent(db, await gateway.retrieve_intent(attempt.payment_intent_id))
        await db.refresh(order)
    return order


def _allocate_to_lines(lines: list[OrderLine], amount: int) -> None:
    """Spread a refund over the merchant's lines in id order, filling each before the next."""
    for line in sorted(lines, key=lambda ln: ln.id):
        take = min(amount, line.total_amount - line.refunded_amount)
        line.refunded_amount += take
        amount -= take
        if amount == 0:
            return


def _unallocate(lines: list[OrderLine], amount: int) -> None:
    for line in sorted(lines, key=lambda ln: ln.id, reverse=True):
        give = min(amount, line.refunded_amount)
        line.refunded_amount -= give
        amount -= give
