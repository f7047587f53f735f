"""Checkout and orders JSON API. The order and its idempotency key are committed before Stripe is called."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, User
from shop.core.schemas import MoneyOut, RowId
from shop.orders import checkout as checkout_flow
from shop.orders import fulfilment, refunds, services
from shop.orders.events import OrderEvents
from shop.orders.schemas import (
    CheckoutIn,
    CheckoutOut,
    FulfilmentIn,
    FulfilmentOut,
    OrderOut,
    PayIn,
    RefundIn,
    RefundOut,
    checkout_out,
    fulfilment_out,
    order_out,
    payment_out,
)
from shop.settings import Settings


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
        data: CheckoutIn | None = None,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", max_length=80)] = None,
    ) -> CheckoutOut:
        """An empty body or `{}` ships to the shopper's default address (none: 422 `shipping_address`)."""
        order, attempt = await checkout_flow.checkout_cart(
            db_session,
            gateway,
            user,
            idempotency_key=idempotency_key,
            hold_minutes=settings.hold_minutes,
            ship_to=data,
        )
        return checkout_out(order, attempt, gateway)

    @post("/orders/{order_id:int}/setup-intent", status_code=HTTP_201_CREATED)
    async def setup_intent(
        self, db_session: AsyncSession, user: User, gateway: StripeGateway, order_id: RowId
    ) -> dict[str, str]:
        """Card collection that works with Stripe.js and the sandbox's stand-in: confirmCardSetup."""
        order = await services.get_own_order(db_session, user, order_id)
        # A new SetupIntent per card entry: each retry after a decline collects a fresh card.
        setup_id, secret = await gateway.create_setup_intent(f"order-{order.id}-seti-{uuid.uuid4().hex}")
        return {"setup_intent_id": setup_id, "client_secret": secret}

    @post("/orders/{order_id:int}/pay", status_code=HTTP_200_OK)
    async def pay(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
        data: PayIn,
    ) -> OrderOut:
        """Charge the collected card. 402 with the bank's message on a decline; the shopper can retry."""
        order, attempt = await checkout_flow.pay(db_session, gateway, order_events, user, order_id, data)
        return order_out(order, payment_out(attempt, gateway))

    @get("/orders")
    async def list_orders(self, db_session: AsyncSession, user: User) -> list[OrderOut]:
        return [order_out(o) for o in await services.list_orders(db_session, user)]

    @get("/orders/{order_id:int}")
    async def get_order(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
    ) -> OrderOut:
        """The truth from the server: an unpaid order is checked against its PaymentIntent first."""
        order, attempt = await checkout_flow.fresh_order(db_session, gateway, order_events, user, order_id)
        return order_out(order, payment_out(attempt, gateway))

    @post("/orders/{order_id:int}/refunds", status_code=HTTP_201_CREATED)
    async def refund(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
        data: RefundIn,
    ) -> Response[RefundOut]:
        """201 when Stripe accepted it; 202 when Stripe could not be asked now (queued: the job sends
        it with the same key, so trying again would refund twice); 409 `refund_refused` with Stripe's
        reason when Stripe said no (the amount is given back)."""
        refund = await refunds.refund_order(
            db_session, gateway, order_events, merchant, order_id, data.amount, data.reason
        )
        body = RefundOut(
            id=refund.id,
            order_id=refund.order_id,
            amount=MoneyOut(amount=refund.amount, currency=refund.currency),
            status=refund.status,
            reason=refund.reason,
        )
        return Response(body, status_code=HTTP_201_CREATED if refund.stripe_refund_id else HTTP_202_ACCEPTED)

    @post("/orders/{order_id:int}/fulfilments", status_code=HTTP_201_CREATED)
    async def fulfil(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        order_events: OrderEvents,
        order_id: RowId,
        data: FulfilmentIn,
    ) -> FulfilmentOut:
        """Ship the merchant's lines with a carrier and tracking number; the buyer is told."""
        parcel = await fulfilment.fulfil(db_session, order_events, merchant, order_id, data)
        return fulfilment_out(parcel)
