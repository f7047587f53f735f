"""Checkout and orders JSON API. The order and its idempotency key are committed before Stripe is called."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import PaymentDeclined, PaymentGatewayUnavailable
from payments.gateway import StripeGateway
from payments.models import PaymentAttempt
from shop.accounts.models import Merchant, User
from shop.core.errors import AppError, InvalidInput
from shop.core.schemas import MoneyOut
from shop.orders import services, settlement
from shop.orders.models import Order, OrderStatus
from shop.orders.schemas import CheckoutOut, OrderOut, PayIn, PaymentOut, RefundIn, RefundOut, order_out
from shop.settings import Settings


def payment_out(attempt: PaymentAttempt | None, gateway: StripeGateway) -> PaymentOut:
    return PaymentOut(
        payment_intent_id=attempt.payment_intent_id if attempt else None,
        client_secret=attempt.client_secret if attempt else None,
        publishable_key=gateway.publishable_key,
        status=attempt.status if attempt else None,
        error=attempt.error_message if attempt else None,
    )


async def open_intent(db: AsyncSession, gateway: StripeGateway, order: Order) -> PaymentAttempt:
    """Create the order's PaymentIntent once; a concurrent retry waits for it instead of making another."""
    attempt = await settlement.current_attempt(db, order) or await settlement.new_attempt(db, order)
    claimed = await settlement.claim_attempt(db, attempt)
    await db.commit()  # order, holds and the idempotency key are stored before Stripe hears of them
    if not claimed:
        return await _wait_for_intent(db, attempt)
    try:
        intent = await gateway.create_intent(
            amount=order.total_amount,
            currency=order.currency,
            idempotency_key=attempt.idempotency_key,
            metadata={"order_id": str(order.id), "attempt": str(attempt.number)},
        )
    except PaymentGatewayUnavailable:
        await services.cancel_order(db, order, "The payment provider was unreachable at checkout.")
        await db.commit()
        raise
    await settlement.record_intent(db, attempt, intent)
    return attempt


async def _wait_for_intent(db: AsyncSession, attempt: PaymentAttempt) -> PaymentAttempt:
    for _ in range(50):
        await db.refresh(attempt)
        if attempt.payment_intent_id:
            return attempt
        await asyncio.sleep(0.1)
    raise PaymentGatewayUnavailable(
        "The payment is still being set up; try again in a moment.", retry_after=2
    )


def checkout_out(order: Order, attempt: PaymentAttempt, gateway: StripeGateway) -> CheckoutOut:
    return CheckoutOut(
        order_id=order.id,
        status=order.status,
        total=MoneyOut(amount=order.total_amount, currency=order.currency),
        hold_expires_at=order.hold_expires_at,
        payment=payment_out(attempt, gateway),
    )


class CheckoutController(Controller):
    path = "/api/v1"
    tags = ["orders"]

    @post("/checkout", status_code=HTTP_201_CREATED)
    async def checkout(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        settings: Settings,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", max_length=80)] = None,
    ) -> CheckoutOut:
        order, _ = await services.place_order(
            db_session, user, idempotency_key=idempotency_key, hold_minutes=settings.hold_minutes
        )
        return checkout_out(order, await open_intent(db_session, gateway, order), gateway)

    @post("/orders/{order_id:int}/setup-intent", status_code=HTTP_201_CREATED)
    async def setup_intent(
        self, db_session: AsyncSession, user: User, gateway: StripeGateway, order_id: int
    ) -> dict[str, str]:
        """Card collection that works with Stripe.js and the sandbox's stand-in: confirmCardSetup."""
        order = await services.get_own_order(db_session, user, order_id)
        # A new SetupIntent per card entry: each retry after a decline collects a fresh card.
        setup_id, secret = await gateway.create_setup_intent(f"order-{order.id}-seti-{uuid.uuid4().hex}")
        return {"setup_intent_id": setup_id, "client_secret": secret}

    @post("/orders/{order_id:int}/pay", status_code=HTTP_200_OK)
    async def pay(
        self, db_session: AsyncSession, user: User, gateway: StripeGateway, order_id: int, data: PayIn
    ) -> OrderOut:
        """Charge the collected card. 402 with the bank's message on a decline; the shopper can retry."""
        order = await services.get_own_order(db_session, user, order_id, lock=True)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return order_out(order, payment_out(await settlement.current_attempt(db_session, order), gateway))
        method = data.payment_method
        if data.card_token:
            method = await gateway.card_from_token(data.card_token)
        elif data.setup_intent_id:
            method = await gateway.setup_payment_method(data.setup_intent_id)
        if not method:
            raise InvalidInput(
                "Send the card as card_token, payment_method or setup_intent_id.",
                fields={"payment_method": "Required."},
            )
        attempt = await settlement.current_attempt(db_session, order)
        never_confirmed = (
            attempt is not None
            and attempt.payment_intent_id is not None
            and attempt.status == "requires_payment_method"
            and not attempt.error_message
        )
        if attempt is None or not never_confirmed:
            # A declined intent cannot be confirmed again: a new attempt, with a new stored key.
            attempt = await settlement.new_attempt(db_session, order)
            await db_session.commit()
        try:
            if never_confirmed and attempt.payment_intent_id:
                intent = await gateway.confirm_with(
                    attempt.payment_intent_id, method, attempt.idempotency_key
                )
            else:
                intent = await gateway.create_intent(
                    amount=order.total_amount,
                    currency=order.currency,
                    idempotency_key=attempt.idempotency_key,
                    metadata={"order_id": str(order.id), "attempt": str(attempt.number)},
                    payment_method=method,
                )
        except PaymentDeclined as declined:
            attempt.status, attempt.error_message = "requires_payment_method", declined.message
            await db_session.commit()
            raise
        await settlement.record_intent(db_session, attempt, intent)
        await settlement.apply_intent(db_session, intent)
        return order_out(order, payment_out(attempt, gateway))

    @get("/orders")
    async def list_orders(self, db_session: AsyncSession, user: User) -> list[OrderOut]:
        return [order_out(o) for o in await services.list_orders(db_session, user)]

    @get("/orders/{order_id:int}")
    async def get_order(
        self, db_session: AsyncSession, user: User, gateway: StripeGateway, order_id: int
    ) -> OrderOut:
        """The truth from the server: an unpaid order is checked against its PaymentIntent first."""
        order = await services.get_own_order(db_session, user, order_id)
        order = await settlement.refresh_from_stripe(db_session, gateway, order)
        attempt = await settlement.current_attempt(db_session, order)
        return order_out(order, payment_out(attempt, gateway))

    @post("/orders/{order_id:int}/refunds", status_code=HTTP_201_CREATED)
    async def refund(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        gateway: StripeGateway,
        order_id: int,
        data: RefundIn,
    ) -> RefundOut:
        refund = await settlement.request_refund(db_session, order_id, merchant, data.amount, data.reason)
        await (
            db_session.commit()
        )  # the amount is reserved and the refund's key stored before Stripe is called
        try:
            await settlement.execute_refund(db_session, gateway, refund)
        except AppError:
            await db_session.commit()  # keep the record of the failed refund and the restored amount
            raise
        return RefundOut(
            id=refund.id,
            order_id=refund.order_id,
            amount=MoneyOut(amount=refund.amount, currency=refund.currency),
            status=refund.status,
            reason=refund.reason,
        )
