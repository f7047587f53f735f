"""Refunds Stripe refuses give their amount back; refunds made in Stripe's dashboard reach the order."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import httpx
from litestar import Litestar
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentAttempt, Refund
from shop.accounts.models import Merchant
from shop.notifications.models import Notification
from shop.orders import refunds
from shop.orders.models import Order
from tests.helpers import Client, make_product
from tests.payments_helpers import WEBHOOK_SECRET

HOME = {"name": "Ana", "line1": "1 Main St", "city": "Austin", "postal_code": "78701", "country": "US"}


async def _paid_order(shopper: Client, merchant: Client, price: int = 2500, quantity: int = 2) -> int:
    product = await make_product(merchant, "Tea Tin", stock=5, price=price, sku="TEA-TIN")
    await shopper.post("/api/v1/me/addresses", json=HOME)
    line = {"variant_id": product["variants"][0]["id"], "quantity": quantity}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    order_id = int((await shopper.post("/api/v1/checkout")).json()["order_id"])
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return order_id


async def _forget_intent(db: AsyncSession, order_id: int) -> None:
    """Stripe no longer knows this payment (a real answer from the local Stripe server: 404)."""
    await db.execute(
        update(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_id)
        .values(payment_intent_id="pi_unknown_1")
    )
    await db.commit()


async def test_refused_refund_gives_the_amount_back(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    order_id = await _paid_order(shopper, merchant)
    ok = await merchant.post(f"/api/v1/orders/{order_id}/refunds", json={"amount": 1000, "reason": "late"})
    assert ok.status_code == 201, ok.text
    await _forget_intent(db, order_id)

    refused = await merchant.post(
        f"/api/v1/orders/{order_id}/refunds", json={"amount": 1500, "reason": "dented"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "refund_refused"
    assert refused.json()["message"]  # Stripe's reason, not a generic 500

    order = (await shopper.get(f"/api/v1/orders/{order_id}")).json()
    assert order["status"] == "partially_refunded"  # back to where the first refund left it
    # The reason is stored in English and read in the reader's language, Stripe's words as they came.
    assert order["status_reason"].startswith("A refund of 1500 was refused: ")
    said = (await shopper.get(f"/api/v1/orders/{order_id}?lang=zh_Hans")).json()["status_reason"]
    assert said == "1500 的退款被拒绝：" + order["status_reason"].split(": ", 1)[1]  # noqa: RUF001
    assert order["refunded"]["amount"] == 1000
    assert [ln["refunded"]["amount"] for ln in order["lines"]] == [1000]
    rows = (await db.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))).all()
    assert [(r.amount, r.status) for r in rows] == [(1000, "succeeded"), (1500, "failed")]
    assert rows[1].failure_reason == refused.json()["message"]
    # Nothing is left pending for a job to retry forever, and the buyer heard only of the real refund.
    assert not [r for r in rows if r.status == "pending"]
    kinds = (await db.scalars(select(Notification.kind).where(Notification.user_id == shopper.id))).all()
    assert kinds == ["refund"]


async def test_refused_first_refund_returns_the_order_to_paid(
    shopper: Client, merchant: Client, db: AsyncSession, app: Litestar
) -> None:
    order_id = await _paid_order(shopper, merchant)
    await _forget_intent(db, order_id)
    page = await merchant.form(f"/merchant/orders/{order_id}/refunds", {"amount": "50.00", "reason": "all"})
    assert page.status_code == 409
    assert "text/html" in page.headers["content-type"]
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert (order.status, order.refunded_amount) == ("paid", 0)
    # The whole amount can still be refunded once Stripe agrees again.
    assert (await merchant.get(f"/merchant/orders/{order_id}")).status_code == 200


async def _stripe(sandbox: str, method: str, path: str, **data: object) -> dict[str, object]:
    """Straight to the local Stripe server, as someone in Stripe's dashboard would act."""
    async with httpx.AsyncClient(
        base_url=sandbox, headers={"Authorization": "Bearer sk_test_zhongcao_local"}
    ) as c:
        response = await c.request(method, path, data=data or None)
        response.raise_for_status()
        return dict(response.json())


def _signed_charge_event(charge: dict[str, object], event_id: str) -> tuple[bytes, dict[str, str]]:
    ts = int(time.time())
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "charge.refunded",
            "created": ts,
            "data": {"object": charge},
        }
    ).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={ts},v1={signature}", "Content-Type": "application/json"}


async def test_a_refund_made_in_stripe_reaches_the_order_once(
    shopper: Client, merchant: Client, anonymous: Client, db: AsyncSession, stripe_sandbox: str
) -> None:
    order_id = await _paid_order(shopper, merchant)  # 2 x 25.00
    ours = await merchant.post(f"/api/v1/orders/{order_id}/refunds", json={"amount": 1000, "reason": "late"})
    assert ours.status_code == 201
    intent_id = await db.scalar(
        select(PaymentAttempt.payment_intent_id).where(PaymentAttempt.order_id == order_id)
    )
    intent = await _stripe(stripe_sandbox, "GET", f"/v1/payment_intents/{intent_id}")
    charge = intent["charges"]["data"][0]  # type: ignore[index]
    await _stripe(stripe_sandbox, "POST", "/v1/refunds", payment_intent=intent_id, amount=1500)

    # The event body says little; the app asks Stripe for the charge as it is now.
    body, headers = _signed_charge_event({"id": charge["id"], "object": "charge"}, "evt_outside_1")
    for _ in range(2):  # a duplicate delivery changes nothing
        answer = await anonymous.raw.post("/payments/stripe/webhook", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
    again, headers = _signed_charge_event({"id": charge["id"], "object": "charge"}, "evt_outside_2")
    assert (
        await anonymous.raw.post("/payments/stripe/webhook", content=again, headers=headers)
    ).status_code == 200

    order = (await shopper.get(f"/api/v1/orders/{order_id}")).json()
    assert order["refunded"]["amount"] == 2500
    assert order["status"] == "partially_refunded"
    rows = (await db.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))).all()
    assert [(r.amount, r.status) for r in rows] == [(1000, "succeeded"), (1500, "succeeded")]
    assert rows[1].stripe_refund_id is not None
    kinds = (await db.scalars(select(Notification.kind).where(Notification.user_id == shopper.id))).all()
    assert kinds == ["refund", "refund"]


async def test_two_senders_at_once_send_a_refund_once(
    shopper: Client, merchant: Client, db: AsyncSession, app: Litestar, stripe_sandbox: str
) -> None:
    """The request and the job (or two jobs) meet on one stored refund: one claims it, one sends."""
    order_id = await _paid_order(shopper, merchant)
    sessions = app.state["sessions"]
    events = app.state["order_events"]
    gateway = app.dependencies["gateway"].dependency()  # type: ignore[attr-defined]
    async with sessions() as s:
        owner = await s.get(Merchant, merchant.me["merchant"]["id"])
        assert owner is not None
        refund = await refunds.request_refund(s, order_id, owner, 1200, "twice?")
        await s.commit()
        refund_id = refund.id

    async def send() -> bool:
        async with sessions() as s:
            return await refunds.send_refund(s, gateway, events, refund_id)

    results = await asyncio.gather(send(), send(), send())
    assert sorted(results) == [False, False, True]
    intent_id = await db.scalar(
        select(PaymentAttempt.payment_intent_id).where(PaymentAttempt.order_id == order_id)
    )
    intent = await _stripe(stripe_sandbox, "GET", f"/v1/payment_intents/{intent_id}")
    assert intent["charges"]["data"][0]["amount_refunded"] == 1200  # type: ignore[index]
    kinds = (await db.scalars(select(Notification.kind).where(Notification.user_id == shopper.id))).all()
    assert kinds == ["refund"]  # announced once


async def test_a_refused_refund_on_a_shipped_order_leaves_it_shipped(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    order_id = await _paid_order(shopper, merchant)
    shipped = await merchant.post(
        f"/api/v1/orders/{order_id}/fulfilments", json={"carrier": "UPS", "tracking_number": "1Z999"}
    )
    assert shipped.status_code == 201, shipped.text
    await _forget_intent(db, order_id)
    refused = await merchant.post(
        f"/api/v1/orders/{order_id}/refunds", json={"amount": 500, "reason": "late"}
    )
    assert refused.status_code == 409
    order = (await shopper.get(f"/api/v1/orders/{order_id}")).json()
    assert (order["status"], order["refunded"]["amount"]) == ("fulfilled", 0)
