"""Checkout and pay: the workflows that commit and call Stripe (controllers and pages only call them).

The order, its holds and the attempt's idempotency key are committed before Stripe hears of them;
a retry reuses the stored key, and only one request creates an attempt's PaymentIntent.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import PaymentDeclined, PaymentGatewayUnavailable
from payments.gateway import Intent, StripeGateway
from payments.models import PaymentAttempt
from shop.accounts.models import User
from shop.addresses.services import shipping_for_checkout
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.orders import services, settlement
from shop.orders.events import OrderEvents
from shop.orders.models import Order, OrderStatus
from shop.orders.schemas import PayIn, ShipToIn


async def checkout_cart(
    db: AsyncSession,
    gateway: StripeGateway,
    user: User,
    *,
    idempotency_key: str | None,
    hold_minutes: int,
    ship_to: ShipToIn | None = None,
) -> tuple[Order, PaymentAttempt]:
    """The address is settled first: without one (sent, saved or default) nothing is written."""
    address = await shipping_address(db, user, ship_to)
    order, _ = await services.place_order(
        db, user, idempotency_key=idempotency_key, hold_minutes=hold_minutes, ship_to=address
    )
    return order, await open_intent(db, gateway, order)


async def shipping_address(db: AsyncSession, user: User, ship_to: ShipToIn | None) -> dict[str, str]:
    """The snapshot an order keeps: the address sent, a saved one, or the default (else 422)."""
    ship_to = ship_to or ShipToIn()
    return await shipping_for_checkout(db, user, ship_to.shipping_address, ship_to.address_id)


async def open_intent(db: AsyncSession, gateway: StripeGateway, order: Order) -> PaymentAttempt:
    """Create the order's PaymentIntent once; a concurrent retry waits for it instead of making another."""
    attempt = await settlement.current_attempt(db, order) or await settlement.new_attempt(db, order)
    claimed = await settlement.claim_attempt(db, attempt)
    await db.commit()  # order, holds and the idempotency key are stored before Stripe hears of them
    if not claimed:
        return await _wait_for_intent(db, attempt)
    try:
        intent = await _create_intent(gateway, order, attempt)
    except PaymentGatewayUnavailable:
        await services.cancel_order(db, order, N_("The payment provider was unreachable at checkout."))
        await db.commit()
        raise
    await settlement.record_intent(db, attempt, intent)
    return attempt


async def _create_intent(
    gateway: StripeGateway, order: Order, attempt: PaymentAttempt, payment_method: str | None = None
) -> Intent:
    """The attempt's PaymentIntent, under the attempt's stored key (a retry gets the same one)."""
    return await gateway.create_intent(
        amount=order.total_amount,
        currency=order.currency,
        idempotency_key=attempt.idempotency_key,
        metadata={"order_id": str(order.id), "attempt": str(attempt.number)},
        payment_method=payment_method,
        transfer_group=f"order_{order.id}",  # settlement's transfers join the charge's group
    )


async def fresh_order(
    db: AsyncSession, gateway: StripeGateway, events: OrderEvents, user: User, order_id: int
) -> tuple[Order, PaymentAttempt | None]:
    """The shopper's own order, an unpaid one checked against its PaymentIntent first."""
    order = await services.get_own_order(db, user, order_id)
    order = await settlement.refresh_from_stripe(db, gateway, events, order)
    return order, await settlement.current_attempt(db, order)


async def _wait_for_intent(db: AsyncSession, attempt: PaymentAttempt) -> PaymentAttempt:
    for _ in range(50):
        await db.refresh(attempt)
        if attempt.payment_intent_id:
            return attempt
        await asyncio.sleep(0.1)
    raise PaymentGatewayUnavailable(
        N_("The payment is still being set up; try again in a moment."), retry_after=2
    )


async def pay(
    db: AsyncSession, gateway: StripeGateway, events: OrderEvents, user: User, order_id: int, data: PayIn
) -> tuple[Order, PaymentAttempt | None]:
    """Charge the collected card. A decline raises (402 with the bank's message); the shopper retries."""
    order = await services.get_own_order(db, user, order_id, lock=True)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return order, await settlement.current_attempt(db, order)
    method = await _card(gateway, data)
    attempt = await settlement.current_attempt(db, order)
    never_confirmed = (
        attempt is not None
        and attempt.payment_intent_id is not None
        and attempt.status == "requires_payment_method"
        and not attempt.error_message
    )
    if attempt is None or not never_confirmed:
        # A declined intent cannot be confirmed again: a new attempt, with a new stored key.
        attempt = await settlement.new_attempt(db, order)
        await db.commit()
    try:
        if never_confirmed and attempt.payment_intent_id:
            intent = await gateway.confirm_with(attempt.payment_intent_id, method, attempt.idempotency_key)
        else:
            intent = await _create_intent(gateway, order, attempt, payment_method=method)
    except PaymentDeclined as declined:
        attempt.status, attempt.error_message = "requires_payment_method", declined.message
        await db.commit()
        raise
    await settlement.record_intent(db, attempt, intent)
    await settlement.apply_intent(db, events, intent)
    return order, attempt


async def _card(gateway: StripeGateway, data: PayIn) -> str:
    method = await gateway.collected_card(
        card_token=data.card_token, setup_intent_id=data.setup_intent_id, payment_method=data.payment_method
    )
    if method:
        return method
    raise InvalidInput(
        "Send the card as card_token, payment_method or setup_intent_id.",
        fields={"payment_method": "Required."},
    )
