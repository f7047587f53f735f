"""Checkout takes a shipping address: sent, saved or the default; bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.addresses.models import Address
from shop.orders.models import Order
from tests.helpers import ADDRESS, Client, add_address, make_product
from tests.live_helpers import hold_and_checkout, launch_sale, live_room


async def _cart(shopper: Client, merchant: Client, quantity: int = 1) -> dict[str, Any]:
    product = await make_product(merchant, "Dew Serum", stock=10, price=2599)
    added = await shopper.post(
        "/api/v1/cart/lines", json={"variant_id": product["variants"][0]["id"], "quantity": quantity}
    )
    assert added.status_code == 201, added.text
    return product


async def _orders_of(db: AsyncSession, user_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(Order).where(Order.user_id == user_id)) or 0)


BAD_ADDRESSES = [
    ("missing city", {k: v for k, v in ADDRESS.items() if k != "city"}, "shipping_address.city"),
    ("3-letter country", {**ADDRESS, "country": "USA"}, "shipping_address.country"),
    ("unknown country", {**ADDRESS, "country": "XX"}, "shipping_address.country"),
    ("10 kB line", {**ADDRESS, "line1": "x" * 10_000}, "shipping_address.line1"),
    ("NUL in the name", {**ADDRESS, "name": "Mei\x00Lin"}, "shipping_address.name"),
    ("newline in the city", {**ADDRESS, "city": "San\nFrancisco"}, "shipping_address.city"),
    ("bidi override", {**ADDRESS, "line2": "Apt \u202e5"}, "shipping_address.line2"),
    ("bad postal code", {**ADDRESS, "postal_code": "94105<b>"}, "shipping_address.postal_code"),
    ("unknown field", {**ADDRESS, "phone": "123"}, "shipping_address.phone"),
]


@pytest.mark.parametrize(("case", "address", "field"), BAD_ADDRESSES, ids=[c[0] for c in BAD_ADDRESSES])
async def test_a_bad_address_is_a_422_naming_the_field_and_writes_nothing(
    shopper: Client, merchant: Client, db: AsyncSession, case: str, address: dict[str, Any], field: str
) -> None:
    await add_address(shopper)  # a default exists: a bad address sent is still refused, never replaced
    await _cart(shopper, merchant)
    response = await shopper.post("/api/v1/checkout", json={"shipping_address": address})
    assert response.status_code == 422, (case, response.text)
    assert field in response.json()["fields"], response.json()
    assert await _orders_of(db, shopper.id) == 0


async def test_the_default_address_is_used_and_without_one_checkout_is_a_422(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    await _cart(shopper, merchant)
    for body in ({}, None):  # `{}` and an empty body both mean "my default address"
        refused = await shopper.post("/api/v1/checkout", json=body)
        assert refused.status_code == 422, refused.text
        assert "shipping_address" in refused.json()["fields"]
    assert await _orders_of(db, shopper.id) == 0

    await add_address(shopper, name="Old Default", default=True)
    home = await add_address(shopper, name="Mei at Home", default=True)
    checkout = await shopper.post("/api/v1/checkout")
    assert checkout.status_code == 201, checkout.text
    order = (await shopper.get(f"/api/v1/orders/{checkout.json()['order_id']}")).json()
    expected = {k: home[k] for k in ("name", "line1", "line2", "city", "region", "postal_code", "country")}
    assert order["shipping_address"] == expected
    assert order["fulfilments"] == []
    assert order["fulfilled_at"] is None


async def test_an_address_sent_or_chosen_is_the_one_the_order_keeps(
    shopper: Client, other_shopper: Client, merchant: Client
) -> None:
    await add_address(shopper, name="Default Person")
    office = await add_address(shopper, name="Office Person", city="Oakland", default=False)
    theirs = await add_address(other_shopper, name="Stranger")
    await _cart(shopper, merchant)

    sent = {**ADDRESS, "name": "  Gift Friend ", "country": "gb", "postal_code": "sw1a 1aa", "city": "London"}
    first = await shopper.post("/api/v1/checkout", json={"shipping_address": sent})
    assert first.status_code == 201, first.text
    order = (await shopper.get(f"/api/v1/orders/{first.json()['order_id']}")).json()
    assert order["shipping_address"]["name"] == "Gift Friend"
    assert (order["shipping_address"]["country"], order["shipping_address"]["postal_code"]) == (
        "GB",
        "SW1A 1AA",
    )

    # Going back and picking a saved address gets the same unpaid order, now shipping there.
    chosen = await shopper.post("/api/v1/checkout", json={"address_id": office["id"]})
    assert chosen.json()["order_id"] == first.json()["order_id"]
    order = (await shopper.get(f"/api/v1/orders/{first.json()['order_id']}")).json()
    assert (order["shipping_address"]["name"], order["shipping_address"]["city"]) == (
        "Office Person",
        "Oakland",
    )

    assert (await shopper.post("/api/v1/checkout", json={"address_id": theirs["id"]})).status_code == 404
    both = await shopper.post(
        "/api/v1/checkout", json={"address_id": office["id"], "shipping_address": ADDRESS}
    )
    assert both.status_code == 422
    for bad_id in (0, 2**53 + 1, "x"):
        assert (await shopper.post("/api/v1/checkout", json={"address_id": bad_id})).status_code == 422


async def test_the_snapshot_stays_when_the_address_book_changes(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    saved = await add_address(shopper, line1="1 First Street")
    await _cart(shopper, merchant)
    order_id = (await shopper.post("/api/v1/checkout")).json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text

    await db.execute(update(Address).where(Address.id == saved["id"]).values(line1="99 Moved Avenue"))
    await db.commit()
    assert (await shopper.get("/api/v1/me/addresses")).json()["items"][0]["line1"] == "99 Moved Avenue"
    assert (await shopper.get(f"/api/v1/orders/{order_id}")).json()["shipping_address"][
        "line1"
    ] == "1 First Street"
    assert (await shopper.delete(f"/api/v1/me/addresses/{saved['id']}")).status_code == 204
    order = (await shopper.get(f"/api/v1/orders/{order_id}")).json()
    assert order["shipping_address"]["line1"] == "1 First Street"
    page = await shopper.get(f"/orders/{order_id}")
    assert "1 First Street" in page.text
    assert "99 Moved Avenue" not in page.text


async def test_the_cart_page_checkout_takes_a_new_or_saved_address(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    saved = await add_address(shopper, name="Saved Person")
    await _cart(shopper, merchant)
    cart = await shopper.get("/cart")
    assert f'value="{saved["id"]}"' in cart.text
    assert "Saved Person" in cart.text
    bad = {"ship_to": "new", **{f"ship_{k}": v for k, v in ADDRESS.items()}, "ship_country": "ZZ"}
    refused = await shopper.form("/checkout", {**bad, "ship_name": "<b>Mallory</b>"})
    assert refused.status_code == 422
    assert "two-letter country code" in refused.text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in refused.text
    assert "<b>Mallory" not in refused.text
    assert await _orders_of(db, shopper.id) == 0
    for odd in ("\u00b2", "9" * 40, "-1", "0"):  # "²".isdigit() is True, int("²") is not
        chosen = await shopper.form("/checkout", {"ship_to": odd})
        assert chosen.status_code in (404, 422), (odd, chosen.status_code)
    assert await _orders_of(db, shopper.id) == 0

    new = {"ship_to": "new", **{f"ship_{k}": v for k, v in ADDRESS.items()}, "ship_name": "Form Person"}
    started = await shopper.form("/checkout", new)
    assert started.status_code in (302, 303), started.text
    order_id = int(started.headers["location"].split("/")[2])
    order = (await shopper.get(f"/api/v1/orders/{order_id}")).json()
    assert order["shipping_address"]["name"] == "Form Person"
    again = await shopper.form("/checkout", {"ship_to": str(saved["id"])})
    assert again.headers["location"] == f"/orders/{order_id}/pay"
    assert (await shopper.get(f"/api/v1/orders/{order_id}")).json()["shipping_address"][
        "name"
    ] == "Saved Person"


async def test_the_room_checkouts_take_the_same_body(
    creator: Client, merchant: Client, shopper: Client, other_shopper: Client
) -> None:
    room = await live_room(creator, merchant, stock=20, price=3000)
    url = f"/api/v1/streams/{room['stream_id']}/checkout"
    item = {"variant_id": room["variant_id"], "quantity": 1}
    refused = await shopper.post(url, json=item)
    assert refused.status_code == 422
    assert "shipping_address" in refused.json()["fields"]
    bad = await shopper.post(url, json={**item, "shipping_address": {**ADDRESS, "country": "USA"}})
    assert bad.status_code == 422
    assert "shipping_address.country" in bad.json()["fields"]

    sent = await shopper.post(url, json={**item, "shipping_address": {**ADDRESS, "name": "Room Buyer"}})
    assert sent.status_code == 201, sent.text
    order = (await shopper.get(f"/api/v1/orders/{sent.json()['order_id']}")).json()
    assert order["shipping_address"]["name"] == "Room Buyer"

    await add_address(other_shopper, name="Default Viewer")
    by_default = await other_shopper.post(url, json=item)
    assert by_default.status_code == 201, by_default.text
    order = (await other_shopper.get(f"/api/v1/orders/{by_default.json()['order_id']}")).json()
    assert order["shipping_address"]["name"] == "Default Viewer"

    sale = await launch_sale(creator, room, quantity=5, limit=2, price=1999)
    held = await other_shopper.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    flash_url = f"/api/v1/flash-sales/{sale['id']}/reservations/{held.json()['reservation_id']}/checkout"
    assert (await other_shopper.post(flash_url, json={"shipping_address": {"name": "x"}})).status_code == 422
    flash = await other_shopper.post(flash_url)  # an empty body: the default address
    assert flash.status_code == 201, flash.text
    order = (await other_shopper.get(f"/api/v1/orders/{flash.json()['order_id']}")).json()
    assert order["shipping_address"]["name"] == "Default Viewer"
    sent_flash = await hold_and_checkout(shopper, sale["id"], 1)  # sends ADDRESS explicitly
    order = (await shopper.get(f"/api/v1/orders/{sent_flash['order_id']}")).json()
    assert order["shipping_address"]["name"] == ADDRESS["name"]
