"""The dashboard home against a scenario whose figures are computed by hand."""

from __future__ import annotations

from typing import Any

from shop.dashboard.exports import LINE_COLUMNS
from tests.helpers import Client, add_address, make_note, make_product
from tests.integration.earning_helpers import refund


async def _buy(
    shopper: Client, variant_id: int, quantity: int, source: dict[str, Any] | None
) -> dict[str, Any]:
    await add_address(shopper)
    line: dict[str, Any] = {"variant_id": variant_id, "quantity": quantity}
    if source:
        line["source"] = source
    added = await shopper.post("/api/v1/cart/lines", json=line)
    assert added.status_code == 201, added.text
    order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid"
    return dict(paid.json())


async def _scenario(merchant: Client, creator: Client, shoppers: list[Client]) -> dict[str, Any]:
    serum = await make_product(merchant, "Dash Serum", price=10_000, stock=50, open_bps=1_000)
    mask = await make_product(merchant, "Dash Mask", price=5_000, stock=50)
    note = await make_note(creator, [serum["id"]], title="Dash note")
    room = await merchant.post("/api/v1/streams", json={"title": "Dash room"})
    stream_id = room.json()["id"]
    await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [mask["id"]]})
    await _buy(shoppers[0], serum["variants"][0]["id"], 1, {"type": "note", "id": note["id"]})
    direct = await _buy(shoppers[1], mask["variants"][0]["id"], 2, None)
    await refund(merchant, direct["id"], 3_000)
    await _buy(shoppers[2], mask["variants"][0]["id"], 1, {"type": "stream", "id": stream_id})
    return {"note": note, "stream_id": stream_id}


async def test_cards_sources_and_top_tables(
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    third_client: Client,
) -> None:
    from tests.helpers import register

    await register(third_client, "third-buyer@example.com")
    made = await _scenario(merchant, creator, [shopper, other_shopper, third_client])
    summary = (await merchant.get("/api/v1/dashboard/summary?period=7d")).json()
    assert summary["gmv"] == {"amount": 22_000, "currency": "USD"}
    assert summary["refunds"]["amount"] == 3_000
    assert summary["orders"] == 3
    assert summary["aov"]["amount"] == 22_000 // 3
    assert {k: v["amount"] for k, v in summary["by_source"].items()} == {
        "note": 10_000,
        "stream": 5_000,
        "direct": 7_000,
    }
    assert summary["previous"]["orders"] == 0
    assert summary["change"]["gmv"] is None
    assert (await other_merchant.get("/api/v1/dashboard/summary")).json()["orders"] == 0

    page = await merchant.get("/dashboard?period=7d")
    assert page.status_code == 200
    assert "$220.00" in page.text
    assert f'href="/notes/{made["note"]["id"]}">Dash note</a>' in page.text
    assert "Dash room" in page.text
    assert creator.me["display_name"] in page.text
    assert "<td>$10.00</td>" in page.text  # the creator's commission (10% of 100.00)
    assert (
        '<li data-action="unshipped"><a href="/dashboard/orders?shipped=no"><strong>3</strong>' in page.text
    )
    await make_product(merchant, "Dash Sold Out", stock=0)
    assert 'data-action="stock"' in (await merchant.get("/dashboard")).text


async def test_the_dashboard_is_the_merchants_alone(
    shopper: Client, creator: Client, anonymous: Client
) -> None:
    for client in (shopper, creator, anonymous):
        assert (await client.get("/dashboard")).status_code == 404
        assert (await client.get("/api/v1/dashboard/summary")).status_code == 404


async def test_orders_filters_and_exports_add_up_to_the_cards(
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    third_client: Client,
) -> None:
    import csv
    import io

    from tests.helpers import register

    await register(third_client, "third-buyer@example.com")
    await _scenario(merchant, creator, [shopper, other_shopper, third_client])
    summary = (await merchant.get("/api/v1/dashboard/summary?period=7d")).json()
    rows = list(csv.DictReader(io.StringIO((await merchant.get("/dashboard/exports/orders.csv")).text)))
    assert len(rows) == summary["orders"] == 3
    assert (
        sum(int(r["gross"]) for r in rows) - sum(int(r["refunded"]) for r in rows) == summary["gmv"]["amount"]
    )
    assert sum(int(r["refunded"]) for r in rows) == summary["refunds"]["amount"]
    lines = list(csv.DictReader(io.StringIO((await merchant.get("/dashboard/exports/order-lines.csv")).text)))
    noted = [ln for ln in lines if ln["source_type"] == "note"]
    assert [(ln["creator_id"], ln["commission"]) for ln in noted] == [(str(creator.id), "1000")]

    by_note = await merchant.get("/dashboard/orders?source=note")
    assert by_note.text.count("data-order-id=") == 1
    by_email = await merchant.get("/dashboard/orders", params={"q": shopper.me["email"]})
    assert by_email.text.count("data-order-id=") == 1
    unshipped = await merchant.get("/dashboard/orders?shipped=no")
    assert unshipped.text.count("data-order-id=") == 3
    filtered = await merchant.get("/dashboard/exports/orders.csv?source=stream")
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 1
    reversed_range = await merchant.get("/dashboard/orders?since=2026-11-30&until=2026-11-01")
    assert reversed_range.status_code == 422
    assert 'data-error-for="until"' in reversed_range.text
    absurd = await merchant.get("/dashboard/orders?since=1900-01-01")
    assert absurd.status_code == 422
    empty = await other_merchant.get("/dashboard/exports/order-lines.csv")
    assert empty.text.strip().splitlines() == [",".join(LINE_COLUMNS)]  # an empty shop: the header alone


async def test_the_settlements_export_matches_the_settlements_api(
    merchant: Client, creator: Client, shopper: Client, other_shopper: Client, third_client: Client
) -> None:
    import csv
    import io

    from tests.helpers import register

    await register(third_client, "fourth-buyer@example.com")
    await _scenario(merchant, creator, [shopper, other_shopper, third_client])
    api = (await merchant.get("/api/v1/merchant/settlements")).json()["items"]
    rows = list(csv.DictReader(io.StringIO((await merchant.get("/dashboard/exports/settlements.csv")).text)))
    assert [int(r["order_id"]) for r in rows] == [item["order_id"] for item in api]
    assert sum(int(r["net"]) for r in rows) == sum(item["net"]["amount"] for item in api)
    assert sum(int(r["commissions"]) for r in rows) == 1_000


async def test_conversion_is_buyers_over_the_shops_visitors(
    merchant: Client, shopper: Client, anonymous: Client, third_client: Client, other_shopper: Client, db: Any
) -> None:
    from shop.analytics.jobs import roll_up

    product = await make_product(merchant, "Visited Serum", price=4_000, stock=10)
    view = {"events": [{"type": "product_view", "product_id": product["id"]}]}
    for visitor in (shopper, anonymous, third_client, other_shopper):
        sent = await visitor.post("/api/v1/events", json=view)
        assert sent.status_code == 202, sent.text
    await roll_up(db)
    await _buy(shopper, product["variants"][0]["id"], 1, None)
    summary = (await merchant.get("/api/v1/dashboard/summary?period=today")).json()
    assert (summary["visitors"], summary["buyers"], summary["conversion"]) == (4, 1, 0.25)
    assert "25.0%" in (await merchant.get("/dashboard?period=today")).text


async def test_the_home_shows_the_funnel_and_a_notes_own(
    merchant: Client, other_merchant: Client, creator: Client, anonymous: Client, db: Any
) -> None:
    from shop.analytics.jobs import roll_up

    product = await make_product(merchant, "Funnel Serum", price=4_000, stock=10, open_bps=1_000)
    note = await make_note(creator, [product["id"]], title="Funnel note")
    views = {"events": [{"type": "note_view", "note_id": note["id"]}]}
    assert (await anonymous.post("/api/v1/events", json=views)).status_code == 202
    await roll_up(db)
    page = await merchant.get("/dashboard?period=today")
    assert '<tr data-step="note_views"><td>Note views</td><td>1</td>' in page.text
    own = await merchant.get(f"/dashboard?period=today&note_id={note['id']}")
    assert own.status_code == 200
    assert f"Funnel of note #{note['id']}" in own.text
    assert (await other_merchant.get(f"/dashboard?note_id={note['id']}")).status_code == 404


async def _paid_step(merchant: Client, note_id: int | None = None) -> int:
    query = f"&note_id={note_id}" if note_id else ""
    answer = await merchant.get(f"/api/v1/dashboard/funnel?period=today{query}")
    assert answer.status_code == 200, answer.text
    return int(next(s["count"] for s in answer.json()["steps"] if s["name"] == "paid"))


async def test_an_order_from_two_notes_is_one_paid_order_in_the_shops_funnel(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    serum = await make_product(merchant, "Two-note Serum", price=3_000, stock=5, open_bps=1_000)
    mask = await make_product(merchant, "Two-note Mask", price=2_000, stock=5, open_bps=1_000)
    first = await make_note(creator, [serum["id"]], title="First note")
    second = await make_note(creator, [mask["id"]], title="Second note")
    await add_address(shopper)
    for product, note in ((serum, first), (mask, second)):
        line = {"variant_id": product["variants"][0]["id"], "quantity": 1}
        line["source"] = {"type": "note", "id": note["id"]}
        assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid"
    assert await _paid_step(merchant) == 1
    assert await _paid_step(merchant, first["id"]) == 1
    assert await _paid_step(merchant, second["id"]) == 1
    await _buy(shopper, mask["variants"][0]["id"], 1, None)  # direct: not through a note
    assert await _paid_step(merchant) == 1
