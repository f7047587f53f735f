"""The live room's own paths: reminders and go-live notifications, the Buy sheet's direct checkout,
the viewer's count against a flash sale's limit, and a card collected with a token (3DS once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import StreamReminder
from shop.catalog.models import Variant
from shop.notifications.models import Notification
from shop.orders.models import Order, StockReservation
from tests.helpers import Client, add_address, make_product, register
from tests.live_helpers import launch_sale, live_room
from tests.payments_helpers import authenticate_3ds


async def _scheduled(host: Client, email: str = "host@example.com") -> dict[str, Any]:
    me = await register(host, email, role="creator")
    at = (datetime.now(UTC) + timedelta(hours=26)).isoformat()
    created = await host.post("/api/v1/streams", json={"title": "Friday glow-up", "scheduled_at": at})
    assert created.status_code == 201, created.text
    return {"host": me, "stream_id": created.json()["id"]}


async def test_reminder_toggle_is_idempotent_and_only_for_scheduled_streams(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    room = await _scheduled(other_client)
    url = f"/api/v1/streams/{room['stream_id']}/reminder"
    assert (await client.post(url)).status_code == 401  # signed out
    me = await register(client, "fan@example.com")
    for _ in range(2):
        on = await client.post(url)
        assert on.status_code == 200, on.text
        assert on.json() == {"stream_id": room["stream_id"], "reminded": True, "reminder_count": 1}
    rows = select(func.count()).select_from(StreamReminder).where(StreamReminder.user_id == me["id"])
    assert await db.scalar(rows) == 1
    page = await client.get(f"/live/{room['stream_id']}")
    assert 'data-remind aria-pressed="true"' in page.text
    assert "data-reminded" in (await client.get("/live")).text
    for _ in range(2):
        off = await client.delete(url)
        assert off.status_code == 200, off.text
        assert off.json()["reminded"] is False
        assert off.json()["reminder_count"] == 0
    assert 'data-remind aria-pressed="false"' in (await client.get(f"/live/{room['stream_id']}")).text
    assert (await client.post("/api/v1/streams/999999/reminder")).status_code == 404
    assert (await client.post("/api/v1/streams/99999999999999999999/reminder")).status_code in (400, 404, 422)

    await other_client.post(f"/api/v1/streams/{room['stream_id']}/start")
    live = await client.post(url)
    assert live.status_code == 409
    assert live.json()["code"] == "not_scheduled"
    await other_client.post(f"/api/v1/streams/{room['stream_id']}/end")
    assert (await client.delete(url)).status_code == 409


async def test_going_live_notifies_followers_and_reminder_holders_once_each(
    client: Client, other_client: Client, third_client: Client, db: AsyncSession
) -> None:
    room = await _scheduled(other_client)
    host_id, stream_id = room["host"]["id"], room["stream_id"]
    both = await register(client, "both@example.com")  # follows the host AND set a reminder
    assert (await client.post(f"/api/v1/users/{host_id}/follow")).status_code == 200
    assert (await client.post(f"/api/v1/streams/{stream_id}/reminder")).status_code == 200
    follower = await register(third_client, "follower@example.com")
    assert (await third_client.post(f"/api/v1/users/{host_id}/follow")).status_code == 200
    started = await other_client.post(f"/api/v1/streams/{stream_id}/start")
    assert started.status_code == 200, started.text

    rows = (await db.scalars(select(Notification).where(Notification.kind == "live"))).all()
    assert sorted(n.user_id for n in rows) == sorted([both["id"], follower["id"]])
    assert all(n.subject == "Friday glow-up" and n.url == f"/live/{stream_id}" for n in rows)
    assert all(n.actor_id == host_id for n in rows)
    assert host_id not in {n.user_id for n in rows}
    assert (await other_client.post(f"/api/v1/streams/{stream_id}/start")).status_code == 409
    again = await db.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "live"))
    assert again == 2  # a refused second start notifies nobody


async def _room_with_two_products(host: Client, merchant: Client) -> dict[str, Any]:
    room = await live_room(host, merchant, stock=3, price=3000)
    other = await make_product(merchant, "Not shelved", stock=5, price=100, sku="NOT-SHELVED")
    room["off_shelf_variant"] = other["variants"][0]["id"]
    return room


async def test_direct_checkout_from_the_room(
    client: Client, other_client: Client, third_client: Client, db: AsyncSession
) -> None:
    room = await _room_with_two_products(other_client, third_client)
    await register(client, "buyer@example.com")
    await add_address(client)  # the room's checkout ships to the default address
    url = f"/api/v1/streams/{room['stream_id']}/checkout"
    body = {"variant_id": room["variant_id"], "quantity": 2}
    first = await client.post(url, json=body)
    assert first.status_code == 201, first.text
    out = first.json()
    assert out["status"] == "pending_payment"
    assert out["total"] == {"amount": 6000, "currency": "USD"}  # the DB's price, whatever is sent
    assert out["payment"]["client_secret"].startswith(out["payment"]["payment_intent_id"])
    again = await client.post(url, json=body)  # a retry (double tap) gets the same order
    assert again.json()["order_id"] == out["order_id"]
    order = (await client.get(f"/api/v1/orders/{out['order_id']}")).json()
    assert order["lines"][0]["source"] == {"type": "stream", "id": room["stream_id"]}
    held = await db.scalar(
        select(StockReservation.quantity).where(StockReservation.order_id == out["order_id"])
    )
    assert held == 2

    priced = await client.post(url, json={**body, "price": {"amount": 1, "currency": "USD"}})
    assert priced.status_code == 422  # unknown fields are refused, never used
    off_shelf = await client.post(url, json={"variant_id": room["off_shelf_variant"], "quantity": 1})
    assert off_shelf.status_code == 422
    assert "variant_id" in off_shelf.json()["fields"]
    missing = await client.post(url, json={"variant_id": 10**9, "quantity": 1})
    assert missing.status_code == 422
    assert (await client.post("/api/v1/streams/999999/checkout", json=body)).status_code == 404

    await register(third_client, "second@example.com")  # 3 in stock, 2 held by the first buyer
    await add_address(third_client)
    too_many = await third_client.post(url, json=body)
    assert too_many.status_code == 409, too_many.text
    one = await third_client.post(url, json={**body, "quantity": 1})
    assert one.status_code == 201, one.text
    variant = await db.get(Variant, room["variant_id"])
    assert variant is not None
    assert variant.stock_on_hand == 3


async def test_direct_checkout_pays_with_a_token_and_3ds_once(
    client: Client, other_client: Client, third_client: Client, db: AsyncSession, stripe_sandbox: str
) -> None:
    room = await _room_with_two_products(other_client, third_client)
    await register(client, "buyer@example.com")
    await add_address(client)
    added = await client.post("/api/v1/cart/lines", json={"variant_id": room["variant_id"], "quantity": 1})
    assert added.status_code == 201
    checkout = await client.post(
        f"/api/v1/streams/{room['stream_id']}/checkout",
        json={"variant_id": room["variant_id"], "quantity": 1},
    )
    order_id = checkout.json()["order_id"]
    token = await _token(stripe_sandbox, "4000002500003155")
    paid = await client.post(f"/api/v1/orders/{order_id}/pay", json={"card_token": token})
    assert paid.status_code == 200, paid.text
    payment = paid.json()["payment"]
    assert (paid.json()["status"], payment["status"]) == ("pending_payment", "requires_action")
    await authenticate_3ds(
        stripe_sandbox, payment["payment_intent_id"], payment["client_secret"], success=True
    )
    order = (await client.get(f"/api/v1/orders/{order_id}")).json()
    assert order["status"] == "paid"  # one challenge, for the payment itself
    variant = await db.get(Variant, room["variant_id"])
    assert variant is not None
    assert variant.stock_on_hand == 2
    assert len((await client.get("/api/v1/cart")).json()["lines"]) == 1  # the cart is not the room's
    assert (
        await client.post(f"/api/v1/orders/{order_id}/pay", json={"card_token": "pm_x"})
    ).status_code == 422


async def _token(sandbox: str, number: str) -> str:
    """A card token as Stripe.js `createToken` makes it."""
    async with httpx.AsyncClient(base_url=sandbox) as c:
        response = await c.post(
            "/v1/tokens",
            data={
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
                "key": "pk_test_zhongcao_local",
            },
        )
        response.raise_for_status()
        return str(response.json()["id"])


async def test_viewer_count_against_the_limit(
    client: Client, other_client: Client, third_client: Client, db: AsyncSession
) -> None:
    room = await live_room(other_client, third_client, stock=20)
    sale = await launch_sale(other_client, room, quantity=10, limit=2)
    await register(client, "grabber@example.com")
    mine = await client.get(f"/api/v1/flash-sales/{sale['id']}/mine")
    assert mine.json() == {
        "flash_sale_id": sale["id"],
        "per_customer_limit": 2,
        "held": 0,
        "bought": 0,
        "left": 2,
    }
    reservations = f"/api/v1/flash-sales/{sale['id']}/reservations"
    first = (await client.post(reservations, json={"quantity": 1})).json()
    assert (first["mine"]["held"], first["mine"]["left"]) == (1, 1)
    second = (await client.post(reservations, json={"quantity": 1})).json()
    assert second["mine"]["left"] == 0
    refused = await client.post(reservations, json={"quantity": 1})
    assert (refused.status_code, refused.json()["code"]) == (409, "limit_reached")
    page = await client.get(f"/live/{room['stream_id']}")
    assert '"left": 0' in page.text or '"left":0' in page.text
    assert (await third_client.get(f"/api/v1/flash-sales/{sale['id']}/mine")).json()["left"] == 2
    assert (await client.get("/api/v1/flash-sales/999999/mine")).status_code == 404
    orders = await db.scalar(select(func.count()).select_from(Order))
    assert orders == 0  # holds alone make no order
