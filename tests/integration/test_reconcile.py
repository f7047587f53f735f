"""Reconciliation is driven by our database (issue 13): every order still awaiting payment has its
PaymentIntent asked for by id, in keyset pages, so any number of them reconcile. It used to read
the first 100 PaymentIntents of Stripe's list, and an older lost webhook was never repaired.
Against the real app, database and local Stripe server."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.orders import jobs
from shop.orders.models import Order
from shop.orders.reconcile import BATCH
from tests.helpers import Client, add_address, make_product

ORDERS = BATCH + 5  # more than one page, and more than Stripe's list gives at once


async def test_more_pending_orders_than_a_page_all_reconcile(
    app: Litestar, merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    gateway: StripeGateway = app.dependencies["gateway"].dependency()  # type: ignore[attr-defined]
    product = await make_product(merchant, "Reconcile Tea", stock=ORDERS, price=900)
    await add_address(shopper)
    line = {"variant_id": product["variants"][0]["id"], "quantity": 1}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    intents = []
    for n in range(ORDERS):  # the cart checked out again and again (a key each): one order each,
        # paid at Stripe while our app heard nothing (lost webhooks)
        checkout = await shopper.post("/api/v1/checkout", json={}, headers={"Idempotency-Key": f"rc-{n}"})
        assert checkout.status_code == 201, checkout.text
        intent_id = checkout.json()["payment"]["payment_intent_id"]
        await gateway.confirm_with(intent_id, "pm_card_visa", f"rc-{intent_id}")
        intents.append(intent_id)
    assert intents[0] not in {i.id for i in await gateway.recent_intents()}  # what the old job read
    pending = select(func.count(Order.id)).where(Order.status == "pending_payment")
    assert await db.scalar(pending) == ORDERS

    sessions, events = app.state["sessions"], app.state["order_events"]
    assert await jobs.reconcile(sessions, gateway, events) == ORDERS
    assert await db.scalar(pending) == 0
    assert await db.scalar(select(func.count(Order.id)).where(Order.status == "paid")) == ORDERS
    assert await jobs.reconcile(sessions, gateway, events) == 0  # nothing is open any more
