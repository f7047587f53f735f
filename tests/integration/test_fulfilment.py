"""A merchant ships its lines with a carrier and tracking number; the order is fulfilled once all ship."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders import jobs as order_jobs
from shop.orders.models import Fulfilment
from tests.helpers import Client, add_address, make_product

PARCEL = {"carrier": "SF Express", "tracking_number": "SF1234567890"}


async def _order(shopper: Client, *merchants: Client, pay: bool = True) -> dict[str, Any]:
    """One order with a line from each merchant (in that order), paid unless told."""
    await add_address(shopper)
    for n, merchant in enumerate(merchants):
        sku = f"ITEM-{uuid.uuid4().hex[:8]}"
        product = await make_product(merchant, f"Item {n}", stock=5, price=1000 * (n + 1), sku=sku)
        line = {"variant_id": product["variants"][0]["id"], "quantity": 1}
        assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    order_id = (await shopper.post("/api/v1/checkout")).json()["order_id"]
    if pay:
        paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
        assert paid.json()["status"] == "paid", paid.text
    return dict((await shopper.get(f"/api/v1/orders/{order_id}")).json())


async def _fulfil(merchant: Client, order_id: int, **body: Any) -> Any:
    return await merchant.post(f"/api/v1/orders/{order_id}/fulfilments", json={**PARCEL, **body})


async def test_a_paid_order_ships_once_and_the_buyer_is_told(
    shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    order = await _order(shopper, merchant)
    shipped = await _fulfil(merchant, order["id"])
    assert shipped.status_code == 201, shipped.text
    body = shipped.json()
    assert (body["carrier"], body["tracking_number"]) == ("SF Express", "SF1234567890")
    assert body["line_ids"] == [order["lines"][0]["id"]]
    assert body["created_at"]

    seen = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert seen["status"] == "fulfilled"
    assert seen["fulfilled_at"]
    assert seen["fulfilments"] == [body]
    again = await _fulfil(merchant, order["id"])
    assert again.status_code == 409
    same_line = await _fulfil(merchant, order["id"], line_ids=body["line_ids"])
    assert (same_line.status_code, same_line.json()["code"]) == (409, "already_shipped")
    assert await db.scalar(select(func.count()).select_from(Fulfilment)) == 1

    inbox = (await shopper.get("/api/v1/notifications")).json()["items"]
    assert [n["kind"] for n in inbox].count("shipped") == 1
    page = await shopper.get(f"/orders/{order['id']}")
    assert "SF Express" in page.text
    assert "SF1234567890" in page.text


async def test_an_unpaid_or_canceled_order_does_not_ship(
    shopper: Client, merchant: Client, app: Litestar, clock: ModuleType
) -> None:
    order = await _order(shopper, merchant, pay=False)
    refused = await _fulfil(merchant, order["id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "not_shippable")
    assert (await shopper.get(f"/api/v1/orders/{order['id']}")).json()["fulfilments"] == []

    clock.advance(timedelta(minutes=11))  # the hold runs out unpaid: the sweeper cancels the order
    gateway = app.dependencies["gateway"].dependency()  # type: ignore[attr-defined]
    assert await order_jobs.expire_holds(app.state["sessions"], gateway, app.state["order_events"]) == 1
    canceled = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert canceled["status"] == "canceled"
    refused = await _fulfil(merchant, order["id"], line_ids=[order["lines"][0]["id"]])
    assert (refused.status_code, refused.json()["code"]) == (409, "not_shippable")


async def test_another_merchants_order_or_line_is_not_found(
    shopper: Client, merchant: Client, other_merchant: Client, other_shopper: Client
) -> None:
    order = await _order(shopper, merchant, other_merchant)
    mine, theirs = (line["id"] for line in order["lines"])
    assert (await _fulfil(merchant, order["id"], line_ids=[theirs])).status_code == 404
    assert (await _fulfil(merchant, order["id"], line_ids=[mine, theirs])).status_code == 404
    only_theirs = await _order(other_shopper, other_merchant)
    assert (await _fulfil(merchant, only_theirs["id"])).status_code == 404
    assert (await _fulfil(merchant, 999_999_999)).status_code == 404
    assert (await _fulfil(shopper, order["id"])).status_code == 403  # not a merchant at all
    assert (await shopper.get(f"/api/v1/orders/{order['id']}")).json()["fulfilments"] == []


async def test_two_merchants_ship_their_own_lines_and_then_the_order_is_fulfilled(
    shopper: Client, merchant: Client, other_merchant: Client
) -> None:
    order = await _order(shopper, merchant, other_merchant)
    first = await _fulfil(merchant, order["id"], carrier="UPS", tracking_number="1Z 999 AA1")
    assert first.status_code == 201, first.text
    assert first.json()["line_ids"] == [order["lines"][0]["id"]]  # only its own lines
    half = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert (half["status"], half["fulfilled_at"], len(half["fulfilments"])) == ("paid", None, 1)

    second = await _fulfil(other_merchant, order["id"], line_ids=[order["lines"][1]["id"]])
    assert second.status_code == 201, second.text
    done = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert done["status"] == "fulfilled"
    assert done["fulfilled_at"]
    assert [f["carrier"] for f in done["fulfilments"]] == ["UPS", "SF Express"]


async def test_refunded_lines_do_not_ship_and_refunds_still_work_after_shipping(
    shopper: Client, merchant: Client, other_merchant: Client
) -> None:
    order = await _order(shopper, merchant, other_merchant)
    refund = await other_merchant.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"reason": "Out of stock"}
    )
    assert refund.status_code == 201, refund.text
    refused = await _fulfil(other_merchant, order["id"], line_ids=[order["lines"][1]["id"]])
    assert (refused.status_code, refused.json()["code"]) == (409, "not_shippable")
    assert (await _fulfil(other_merchant, order["id"])).status_code == 409  # nothing of its left to ship

    assert (await _fulfil(merchant, order["id"])).status_code == 201
    shipped = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert shipped["status"] == "fulfilled"  # the refunded line will never ship; the rest has
    later = await merchant.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 300, "reason": "Scuffed box"}
    )
    assert later.status_code == 201, later.text
    after = (await shopper.get(f"/api/v1/orders/{order['id']}")).json()
    assert after["status"] == "partially_refunded"
    assert after["fulfilled_at"] == shipped["fulfilled_at"]
    assert after["refunded"]["amount"] == 2000 + 300


BAD_PARCELS = [
    ({"carrier": ""}, "carrier"),
    ({"carrier": "C" * 61}, "carrier"),
    ({"carrier": "DHL\x07"}, "carrier"),
    ({"carrier": "DHL\u202e"}, "carrier"),
    ({"tracking_number": ""}, "tracking_number"),
    ({"tracking_number": "A" * 65}, "tracking_number"),
    ({"tracking_number": "AB<script>"}, "tracking_number"),
    ({"tracking_number": "AB\x00CD"}, "tracking_number"),
    ({"tracking_number": "AB\ncd"}, "tracking_number"),
    ({"line_ids": []}, "line_ids"),
    ({"line_ids": [0]}, "line_ids.0"),
    ({"line_ids": [2**53 + 1]}, "line_ids.0"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PARCELS)
async def test_carrier_and_tracking_are_bounded(
    shopper: Client, merchant: Client, change: dict[str, Any], field: str
) -> None:
    order = await _order(shopper, merchant)
    response = await _fulfil(merchant, order["id"], **change)
    assert response.status_code == 422, response.text
    assert field in response.json()["fields"], response.json()
    assert (await shopper.get(f"/api/v1/orders/{order['id']}")).json()["fulfilments"] == []


async def test_the_merchant_order_page_ships_with_a_form(shopper: Client, merchant: Client) -> None:
    order = await _order(shopper, merchant)
    page = await merchant.get(f"/merchant/orders/{order['id']}")
    assert 'action="/merchant/orders/{}/fulfilments"'.format(order["id"]) in page.text
    bad = await merchant.form(
        f"/merchant/orders/{order['id']}/fulfilments", {"carrier": "<i>X</i>", "tracking_number": "<b>"}
    )
    assert bad.status_code == 422
    assert "letters, digits" in bad.text
    assert "&lt;i&gt;X&lt;/i&gt;" in bad.text
    assert "<i>X</i>" not in bad.text
    sent = await merchant.form(
        f"/merchant/orders/{order['id']}/fulfilments",
        {
            "carrier": "Yun Express",
            "tracking_number": "YT-2024 001",
            "line_ids": str(order["lines"][0]["id"]),
        },
    )
    assert sent.status_code in (302, 303), sent.text
    shown = await merchant.get(f"/merchant/orders/{order['id']}")
    assert "Yun Express" in shown.text
    assert "YT-2024 001" in shown.text
    assert (await shopper.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "fulfilled"
