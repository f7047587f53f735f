"""Checkout against the real local Stripe server: holds, idempotency, declines, 3DS, faults."""

import asyncio

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentAttempt
from shop.app import create_app
from shop.catalog.models import StockMovement, Variant
from shop.orders.models import Order, StockReservation
from shop.settings import Settings
from tests.helpers import Client, free_port
from tests.payments_helpers import authenticate_3ds, card, shop_with_stock, shopper_with_cart


async def _checkout(shopper: Client, **kwargs: object) -> dict:
    response = await shopper.post("/api/v1/checkout", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_card_payment_marks_order_paid_and_takes_stock(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5, price=2599)
    variant_id = product["variants"][0]["id"]
    await shopper_with_cart(client, variant_id, quantity=2)
    checkout = await _checkout(client)
    assert checkout["status"] == "pending_payment"
    assert checkout["total"] == {"amount": 5198, "currency": "USD"}
    assert checkout["payment"]["payment_intent_id"].startswith("pi_")
    assert checkout["payment"]["client_secret"].startswith(checkout["payment"]["payment_intent_id"])
    assert checkout["payment"]["publishable_key"].startswith("pk_test_")

    paid = await client.post(
        f"/api/v1/orders/{checkout['order_id']}/pay", json={"payment_method": "pm_card_visa"}
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    variant = await db.get(Variant, variant_id)
    assert variant is not None
    assert variant.stock_on_hand == 3
    sale = await db.scalar(
        select(StockMovement).where(StockMovement.variant_id == variant_id, StockMovement.reason == "sale")
    )
    assert sale is not None
    assert (sale.delta, sale.balance_after) == (-2, 3)
    assert (await client.get("/api/v1/cart")).json()["lines"] == []
    order = (await client.get(f"/api/v1/orders/{checkout['order_id']}")).json()
    assert order["status"] == "paid"
    assert order["lines"][0]["unit_price"] == {"amount": 2599, "currency": "USD"}


async def test_repeated_checkout_returns_the_same_order_and_intent(
    client: Client, other_client: Client
) -> None:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    first = await _checkout(client, headers={"Idempotency-Key": "click-1"})
    again = await _checkout(client, headers={"Idempotency-Key": "click-1"})
    assert (again["order_id"], again["payment"]["payment_intent_id"]) == (
        first["order_id"],
        first["payment"]["payment_intent_id"],
    )
    double_click = await asyncio.gather(_checkout(client), _checkout(client))
    assert double_click[0]["order_id"] == double_click[1]["order_id"]
    assert double_click[0]["payment"]["payment_intent_id"] == double_click[1]["payment"]["payment_intent_id"]


async def test_client_cannot_choose_the_price(client: Client, other_client: Client) -> None:
    product = await shop_with_stock(other_client, price=2599)
    await shopper_with_cart(client, product["variants"][0]["id"])
    priced = await client.post("/api/v1/checkout", json={"total": {"amount": 1, "currency": "JPY"}})
    assert priced.status_code == 422
    assert "total" in priced.json()["fields"]
    checkout = await _checkout(client, json={})
    assert checkout["total"] == {"amount": 2599, "currency": "USD"}


async def test_empty_cart_and_signed_out_checkout(client: Client, other_client: Client) -> None:
    assert (await client.post("/api/v1/checkout")).status_code == 401
    await shopper_with_cart(client, (await shop_with_stock(other_client))["variants"][0]["id"])
    lines = (await client.get("/api/v1/cart")).json()["lines"]
    await client.delete(f"/api/v1/cart/lines/{lines[0]['id']}")
    empty = await client.post("/api/v1/checkout")
    assert empty.status_code == 409
    assert empty.json()["code"] == "cart_empty"


async def test_quantity_above_stock_at_checkout_is_refused(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=5)
    await shopper_with_cart(client, product["variants"][0]["id"], quantity=4)
    await other_client.patch(
        f"/api/v1/products/{product['id']}",
        json={"variants": [{"id": product["variants"][0]["id"], "stock_on_hand": 2}]},
    )
    response = await client.post("/api/v1/checkout")
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert "only 2 left" in response.json()["message"]
    assert await db.scalar(select(func.count(Order.id))) == 0


async def test_someone_elses_order_is_404(client: Client, other_client: Client) -> None:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    order_id = (await _checkout(client))["order_id"]
    assert (await other_client.get(f"/api/v1/orders/{order_id}")).status_code == 404
    stolen = await other_client.post(
        f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"}
    )
    assert stolen.status_code == 404


async def test_decline_then_retry_with_another_card(
    client: Client, other_client: Client, stripe_sandbox: str, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    order_id = (await _checkout(client))["order_id"]
    declined = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000000000000341")},
    )
    assert declined.status_code == 402
    assert declined.json()["code"] == "payment_declined"
    assert "declined" in declined.json()["message"].lower()
    assert (await client.get(f"/api/v1/orders/{order_id}")).json()["status"] == "pending_payment"
    retry = await client.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert retry.json()["status"] == "paid"
    attempts = (
        await db.scalars(
            select(PaymentAttempt).where(PaymentAttempt.order_id == order_id).order_by(PaymentAttempt.number)
        )
    ).all()
    assert [a.status for a in attempts] == ["requires_payment_method", "succeeded"]
    assert len({a.idempotency_key for a in attempts}) == 2


async def test_3ds_success_and_failure(client: Client, other_client: Client, stripe_sandbox: str) -> None:
    product = await shop_with_stock(other_client, stock=5)
    await shopper_with_cart(client, product["variants"][0]["id"])
    order_id = (await _checkout(client))["order_id"]
    challenged = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000002500003155")},
    )
    payment = challenged.json()["payment"]
    assert (challenged.json()["status"], payment["status"]) == ("pending_payment", "requires_action")
    await authenticate_3ds(
        stripe_sandbox, payment["payment_intent_id"], payment["client_secret"], success=False
    )
    assert (await client.get(f"/api/v1/orders/{order_id}")).json()["status"] == "pending_payment"

    again = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000002500003155")},
    )
    payment = again.json()["payment"]
    await authenticate_3ds(
        stripe_sandbox, payment["payment_intent_id"], payment["client_secret"], success=True
    )
    assert (await client.get(f"/api/v1/orders/{order_id}")).json()["status"] == "paid"


async def test_forged_redirect_status_changes_nothing(client: Client, other_client: Client) -> None:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    order_id = (await _checkout(client))["order_id"]
    forged = await client.get(f"/api/v1/orders/{order_id}?redirect_status=succeeded&payment_intent=pi_fake")
    assert forged.json()["status"] == "pending_payment"


async def test_unreachable_stripe_is_503_and_releases_the_hold(
    client: Client, other_client: Client, settings: Settings, db: AsyncSession
) -> None:
    product = await shop_with_stock(other_client, stock=1)
    variant_id = product["variants"][0]["id"]
    await shopper_with_cart(client, variant_id)
    token = (await client.post("/api/v1/auth/tokens", json={"name": "t"})).json()["token"]
    offline = create_app(settings.model_copy(update={"stripe_api_base": f"http://127.0.0.1:{free_port()}"}))
    async with (
        LifespanManager(offline),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=offline),
            base_url="http://testserver.local",
            headers={"Authorization": f"Bearer {token}"},
        ) as raw,
    ):
        response = await raw.post("/api/v1/checkout")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_unavailable"
    assert int(response.headers["retry-after"]) > 0
    order = await db.scalar(select(Order))
    assert order is not None
    assert order.status == "canceled"
    held = await db.scalar(select(func.count(StockReservation.id)).where(StockReservation.state == "held"))
    assert held == 0
    retry = await client.post("/api/v1/checkout")
    assert retry.status_code == 201, retry.text


async def test_checkout_pages_and_merchant_refund_form(client: Client, other_client: Client) -> None:
    product = await shop_with_stock(other_client, stock=5, price=2500)
    await shopper_with_cart(client, product["variants"][0]["id"], quantity=2)
    started = await client.form("/checkout", {})
    assert started.status_code in (302, 303)
    pay_url = started.headers["location"]
    order_id = int(pay_url.split("/")[2])
    pay_page = await client.get(pay_url)
    assert "js.stripe.com/v3/" in pay_page.text
    assert "$50.00" in pay_page.text
    await client.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert (await client.get(pay_url)).headers["location"] == f"/orders/{order_id}"
    assert "Your order is paid" in (await client.get(f"/orders/{order_id}")).text
    assert f"Order #{order_id}" in (await client.get("/orders")).text

    assert f"#{order_id}" in (await other_client.get("/merchant/orders")).text
    bad = await other_client.form(f"/merchant/orders/{order_id}/refunds", {"amount": "12.345", "reason": "x"})
    assert bad.status_code == 422
    too_much = await other_client.form(
        f"/merchant/orders/{order_id}/refunds", {"amount": "60", "reason": "x"}
    )
    assert too_much.status_code == 409
    done = await other_client.form(
        f"/merchant/orders/{order_id}/refunds", {"amount": "12.50", "reason": "scratch"}
    )
    assert done.status_code in (302, 303)
    order = (await client.get(f"/api/v1/orders/{order_id}")).json()
    assert (order["status"], order["refunded"]["amount"]) == ("partially_refunded", 1250)
    assert (await client.get(f"/merchant/orders/{order_id}")).status_code == 403
