"""Webhooks (signature, dedupe, order of arrival), concurrent refunds, hold expiry and late payments."""

import asyncio
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentAttempt, PaymentEvent, Refund
from shop.catalog.models import StockMovement, StockReason, Variant
from shop.inventory.services import move_stock
from shop.orders import jobs
from shop.orders.models import Order, StockReservation
from tests.helpers import Client, add_address, register
from tests.payments_helpers import shop_with_stock, shopper_with_cart, signed_event


async def _confirmed_in_stripe_only(client: Client, app: Litestar, variant_id: int) -> tuple[int, str]:
    """An order whose PaymentIntent succeeded at Stripe while our app heard nothing (a lost response)."""
    await shopper_with_cart(client, variant_id)
    checkout = (await client.post("/api/v1/checkout")).json()
    intent_id = checkout["payment"]["payment_intent_id"]
    await _gateway(app).confirm_with(intent_id, "pm_card_visa", f"test-{intent_id}")
    return checkout["order_id"], intent_id


def _gateway(app: Litestar):  # type: ignore[no-untyped-def]
    return app.dependencies["gateway"].dependency()  # type: ignore[attr-defined]


async def test_bad_signatures_are_400_with_no_side_effects(client: Client, db: AsyncSession) -> None:
    body, headers = signed_event("pi_x")
    cases = [
        signed_event("pi_x", secret="whsec_wrong"),
        (body + b" ", headers),
        (body.replace(b"pi_x", b"pi_y"), headers),
        signed_event("pi_x", timestamp=int(datetime.now(UTC).timestamp()) - 301),
        (body, {"Content-Type": "application/json"}),
    ]
    for payload, hdrs in cases:
        response = await client.post("/payments/stripe/webhook", content=payload, headers=hdrs, csrf=False)
        assert response.status_code == 400, payload
        assert response.json()["code"] == "invalid_signature"
    assert await db.scalar(select(func.count(PaymentEvent.id))) == 0


async def test_duplicate_concurrent_events_apply_once(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5)
    variant_id = product["variants"][0]["id"]
    order_id, intent_id = await _confirmed_in_stripe_only(client, app, variant_id)
    body, headers = signed_event(intent_id, event_id="evt_dup_1")
    responses = await asyncio.gather(
        *(
            client.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 5
    assert await db.scalar(select(func.count(PaymentEvent.id))) == 1
    order = await db.get(Order, order_id)
    assert order is not None
    assert order.status == "paid"
    sales = await db.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "sale"))
    assert sales == 1
    assert (await db.get(Variant, variant_id)).stock_on_hand == 4  # type: ignore[union-attr]


async def test_events_in_any_order_never_downgrade_a_paid_order(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client)
    order_id, intent_id = await _confirmed_in_stripe_only(client, app, product["variants"][0]["id"])
    for event_type in (
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.succeeded",
    ):
        body, headers = signed_event(intent_id, event_type, event_id=f"evt_{event_type}_{id(event_type)}")
        assert (
            await client.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
        ).status_code == 200
        order = await db.scalar(
            select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
        )
        assert order is not None
        assert order.status == "paid"


async def test_event_before_the_order_is_visible_is_kept_and_applied_later(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client)
    order_id, intent_id = await _confirmed_in_stripe_only(client, app, product["variants"][0]["id"])
    # As if the webhook raced our own commit: the attempt does not know its PaymentIntent yet.
    await db.execute(
        update(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_id)
        .values(payment_intent_id=None, number=7)
    )
    await db.commit()
    body, headers = signed_event(intent_id, event_id="evt_early")
    assert (
        await client.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    ).status_code == 200
    event = await db.scalar(select(PaymentEvent).where(PaymentEvent.event_id == "evt_early"))
    assert event is not None
    assert event.processed_at is None
    await db.execute(update(PaymentAttempt).where(PaymentAttempt.order_id == order_id).values(number=1))
    await db.execute(update(PaymentEvent).values(created_at=datetime.now(UTC) - timedelta(seconds=10)))
    await db.commit()
    assert await jobs.retry_events(app.state["sessions"], _gateway(app), app.state["webhook_handlers"]) == 1
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert order.status == "paid"


async def test_concurrent_refunds_never_exceed_the_paid_amount(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5, price=2500)
    await shopper_with_cart(client, product["variants"][0]["id"], quantity=2)
    order_id = (await client.post("/api/v1/checkout")).json()["order_id"]
    await client.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    refunds = await asyncio.gather(
        *(
            other_client.post(
                f"/api/v1/orders/{order_id}/refunds", json={"amount": 2000, "reason": "damaged"}
            )
            for _ in range(3)
        )
    )
    assert sorted(r.status_code for r in refunds) == [201, 201, 409]
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert (order.refunded_amount, order.status) == (4000, "partially_refunded")
    stored = (await db.scalars(select(Refund).where(Refund.order_id == order_id))).all()
    assert sorted(r.status for r in stored) == ["succeeded", "succeeded"]
    assert len({r.idempotency_key for r in stored}) == 2
    line = (await client.get(f"/api/v1/orders/{order_id}")).json()["lines"][0]
    assert (line["refunded"]["amount"], line["refund_state"]) == (4000, "partially_refunded")
    rest = await other_client.post(f"/api/v1/orders/{order_id}/refunds", json={"reason": "goodwill"})
    assert rest.json()["amount"] == {"amount": 1000, "currency": "USD"}
    final = (await client.get(f"/api/v1/orders/{order_id}")).json()
    assert (final["status"], final["lines"][0]["refund_state"]) == ("refunded", "refunded")


async def test_refund_needs_the_merchant_of_the_order(client: Client, other_client: Client) -> None:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    order_id = (await client.post("/api/v1/checkout")).json()["order_id"]
    await client.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert (await client.post(f"/api/v1/orders/{order_id}/refunds", json={"reason": "x"})).status_code == 403
    await other_client.post("/api/v1/auth/logout")
    await register(other_client, "rival@shop.example", role="merchant")
    assert (
        await other_client.post(f"/api/v1/orders/{order_id}/refunds", json={"reason": "x"})
    ).status_code == 404


async def _expire_all(db: AsyncSession) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    await db.execute(update(Order).values(hold_expires_at=past))
    await db.execute(update(StockReservation).values(expires_at=past))
    await db.commit()


async def test_fifty_shoppers_race_for_the_last_five_units(
    app: Litestar, other_client: Client, db: AsyncSession
) -> None:
    import httpx

    product = await shop_with_stock(other_client, stock=5)
    variant_id = product["variants"][0]["id"]
    shoppers = []
    for i in range(50):
        phone = httpx.ASGITransport(app=app, client=(f"10.1.0.{i + 1}", 5000))  # each from its own address
        raw = httpx.AsyncClient(transport=phone, base_url="http://testserver.local")
        shopper = Client(raw)
        await shopper_with_cart(shopper, variant_id, email=f"racer{i}@example.com")
        shoppers.append(shopper)
    results = await asyncio.gather(*(s.post("/api/v1/checkout") for s in shoppers))
    codes = [r.status_code for r in results]
    assert codes.count(201) == 5
    assert codes.count(409) == 45
    assert all(r.json()["code"] == "out_of_stock" for r in results if r.status_code == 409)
    held = await db.scalar(
        select(func.sum(StockReservation.quantity)).where(StockReservation.state == "held")
    )
    assert held == 5
    await _expire_all(db)
    assert await jobs.expire_holds(app.state["sessions"], _gateway(app), app.state["order_events"]) == 5
    assert (
        await db.scalar(select(func.count(StockReservation.id)).where(StockReservation.state == "held")) == 0
    )
    late = await shoppers[-1].post("/api/v1/checkout")
    assert late.status_code == 201, late.text
    for shopper in shoppers:
        await shopper.raw.aclose()


async def test_reconciler_repairs_a_lost_webhook_exactly_once(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5)
    order_id, _ = await _confirmed_in_stripe_only(client, app, product["variants"][0]["id"])
    assert await jobs.reconcile(app.state["sessions"], _gateway(app), app.state["order_events"]) >= 1
    await jobs.reconcile(app.state["sessions"], _gateway(app), app.state["order_events"])
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert order.status == "paid"
    assert await db.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "sale")) == 1


async def test_late_payment_keeps_the_order_when_stock_remains(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5)
    order_id, _ = await _confirmed_in_stripe_only(client, app, product["variants"][0]["id"])
    await db.execute(update(Order).values(status="canceled"))
    await db.execute(update(StockReservation).values(state="released"))
    await db.commit()
    await jobs.reconcile(app.state["sessions"], _gateway(app), app.state["order_events"])
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert order.status == "paid"
    assert "hold expired" in order.status_reason


async def test_late_payment_is_refunded_when_the_stock_is_gone(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=1)
    variant_id = product["variants"][0]["id"]
    order_id, _ = await _confirmed_in_stripe_only(client, app, variant_id)
    await db.execute(update(Order).values(status="canceled"))
    await db.execute(update(StockReservation).values(state="released"))
    await move_stock(db, variant_id, -1, StockReason.DAMAGE, None)  # the last one broke: none left
    await db.commit()
    await jobs.reconcile(app.state["sessions"], _gateway(app), app.state["order_events"])
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    assert (order.status, order.refunded_amount) == ("refunded", order.total_amount)
    assert "refunded" in order.status_reason
    refund = await db.scalar(select(Refund).where(Refund.order_id == order_id))
    assert refund is not None
    assert (refund.status, refund.amount) == ("succeeded", order.total_amount)
    assert (await db.get(Variant, variant_id)).stock_on_hand == 0  # type: ignore[union-attr]


async def test_events_in_every_order_leave_one_paid_order(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    import itertools

    product = await shop_with_stock(other_client, stock=20)
    variant_id = product["variants"][0]["id"]
    await register(client, "perm@example.com")
    await add_address(client)
    kinds = ("payment_intent.payment_failed", "payment_intent.succeeded", "payment_intent.canceled")
    for n, order_of_events in enumerate(itertools.permutations(kinds)):
        await client.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 1})
        checkout = (await client.post("/api/v1/checkout", headers={"Idempotency-Key": f"perm-{n}"})).json()
        intent_id = checkout["payment"]["payment_intent_id"]
        await _gateway(app).confirm_with(intent_id, "pm_card_visa", f"perm-{intent_id}")
        for kind in order_of_events:
            body, headers = signed_event(intent_id, kind, event_id=f"evt_{n}_{kind}")
            response = await client.post(
                "/payments/stripe/webhook", content=body, headers=headers, csrf=False
            )
            assert response.status_code == 200
        assert (await client.get(f"/api/v1/orders/{checkout['order_id']}")).json()["status"] == "paid"
    sales = await db.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "sale"))
    assert sales == 6
    assert (await db.get(Variant, variant_id)).stock_on_hand == 14  # type: ignore[union-attr]
