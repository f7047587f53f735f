"""Who may sell what: the attack a creator could run, refused; open collaborations, end to end."""

from __future__ import annotations

from typing import Any

from tests.helpers import Client, make_product


async def _stream(creator: Client) -> int:
    created = await creator.post("/api/v1/streams", json={"title": "My picks"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def test_a_creator_cannot_shelve_or_flash_sell_a_merchants_stock(
    creator: Client, merchant: Client
) -> None:
    """The hole: a self-registered creator shelved any shop's product and sold it all at $0.01."""
    product = await make_product(merchant, "Silk Pillowcase", stock=40, price=4500, sku="SILK-1")
    stream_id = await _stream(creator)
    shelved = await creator.put(
        f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]}
    )
    assert shelved.status_code == 422
    assert str(product["id"]) in shelved.json()["fields"]["product_ids"]
    assert (await creator.get(f"/api/v1/streams/{stream_id}")).json()["products"] == []

    # Open for collaboration, it may be shelved (at its price), but not flash-sold without a deal.
    opened = await merchant.post(
        "/api/v1/collaborations", json={"product_id": product["id"], "commission_bps": 1500}
    )
    assert opened.status_code == 201, opened.text
    shelved = await creator.put(
        f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]}
    )
    assert shelved.status_code == 200, shelved.text
    await creator.post(f"/api/v1/streams/{stream_id}/start")
    sale = {
        "variant_id": product["variants"][0]["id"],
        "quantity": 40,
        "price": {"amount": 1, "currency": "USD"},
        "per_customer_limit": 40,
        "duration_s": 60,
    }
    launched = await creator.post(f"/api/v1/streams/{stream_id}/flash-sales", json=sale)
    assert launched.status_code == 422
    assert "variant_id" in launched.json()["fields"]
    stock = (await merchant.get(f"/api/v1/products/{product['id']}")).json()["variants"][0]["available"]
    assert stock == 40  # not one unit left the shop


async def test_collaborations_open_list_and_close(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client
) -> None:
    mine = await make_product(merchant, "Oolong Tin", price=2800, sku="OOL-1")
    theirs = await make_product(other_merchant, "Clay Teapot", price=6400, sku="POT-1")
    body = {"product_id": mine["id"], "commission_bps": 2000}
    assert (await shopper.post("/api/v1/collaborations", json=body)).status_code == 403
    assert (await creator.post("/api/v1/collaborations", json=body)).status_code == 403
    for bps in (99, 8001):
        bad = await merchant.post("/api/v1/collaborations", json={**body, "commission_bps": bps})
        assert bad.status_code == 422
        assert "commission_bps" in bad.json()["fields"]
    other = {"product_id": theirs["id"], "commission_bps": 1000}
    assert (await merchant.post("/api/v1/collaborations", json=other)).status_code == 404
    opened = (await merchant.post("/api/v1/collaborations", json=body)).json()
    assert (opened["product_id"], opened["commission_bps"], opened["status"]) == (mine["id"], 2000, "open")
    assert (await merchant.post("/api/v1/collaborations", json=body)).status_code == 409
    await other_merchant.post("/api/v1/collaborations", json={**other, "commission_bps": 500})

    listed = (await creator.get("/api/v1/collaborations?min_bps=1000")).json()["items"]
    assert [(c["product"]["id"], c["commission_bps"]) for c in listed] == [(mine["id"], 2000)]
    assert listed[0]["product"]["price"] == {"amount": 2800, "currency": "USD"}
    assert listed[0]["merchant"]["id"] == merchant.me["merchant"]["id"]
    found = (await creator.get("/api/v1/collaborations?q=teapot")).json()["items"]
    assert [c["product"]["id"] for c in found] == [theirs["id"]]

    assert (await other_merchant.delete(f"/api/v1/collaborations/{opened['id']}")).status_code == 404
    closed = await merchant.delete(f"/api/v1/collaborations/{opened['id']}")
    assert closed.json()["status"] == "closed"
    stream_id = await _stream(creator)
    refused = await creator.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [mine["id"]]})
    assert refused.status_code == 422  # closed: no longer the creator's to sell


async def _deal_stream(
    merchant: Client, creator: Client, product: dict[str, Any], terms: dict[str, Any] | None
) -> tuple[dict[str, Any], int]:
    from tests.integration.deal_helpers import active_deal

    extra = {"live_flash_sale": terms} if terms else {}
    deal = await active_deal(merchant, creator, product_ids=[product["id"]], deliverable="stream", **extra)
    created = await creator.post("/api/v1/streams", json={"title": "Partner live", "deal_id": deal["id"]})
    assert created.status_code == 201, created.text
    assert created.json()["disclosure"]["kind"] == "paid_partnership"
    return deal, int(created.json()["id"])


async def test_a_deal_gives_the_right_to_shelve_tag_and_flash_sell_within_its_terms(
    creator: Client, merchant: Client
) -> None:
    product = await make_product(merchant, "Deal Cushion", stock=50, price=4000, sku="CUSH-1")
    terms = {"max_quantity": 10, "min_price": {"amount": 2500, "currency": "USD"}, "per_customer_limit": 2}
    deal, stream_id = await _deal_stream(merchant, creator, product, terms)
    shelved = await creator.put(
        f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]}
    )
    assert shelved.status_code == 200, shelved.text
    await creator.post(f"/api/v1/streams/{stream_id}/start")
    sale = {
        "variant_id": product["variants"][0]["id"],
        "quantity": 11,
        "price": {"amount": 2000, "currency": "USD"},
        "per_customer_limit": 3,
        "duration_s": 60,
    }
    outside = await creator.post(f"/api/v1/streams/{stream_id}/flash-sales", json=sale)
    assert outside.status_code == 422
    assert {"quantity", "price", "per_customer_limit"} <= set(outside.json()["fields"])
    zero = await creator.post(
        f"/api/v1/streams/{stream_id}/flash-sales", json={**sale, "price": {"amount": 0, "currency": "USD"}}
    )
    assert zero.status_code == 422
    within = {**sale, "quantity": 6, "price": {"amount": 2500, "currency": "USD"}, "per_customer_limit": 2}
    launched = await creator.post(f"/api/v1/streams/{stream_id}/flash-sales", json=within)
    assert launched.status_code == 201, launched.text
    second = await creator.post(f"/api/v1/streams/{stream_id}/flash-sales", json=within)
    assert second.status_code == 422  # 6 + 6 is past the deal's 10
    assert second.json()["fields"]["quantity"] == "The deal allows 4 more."
    assert (await creator.get(f"/api/v1/streams/{stream_id}")).json()["disclosure"]["deal_id"] == deal["id"]
    console = await merchant.get(f"/deals/{deal['id']}")  # the brand sees what its terms allowed so far
    assert 'data-flash-allocated="6"' in console.text


async def test_a_deal_without_flash_terms_allows_no_flash_sale(creator: Client, merchant: Client) -> None:
    product = await make_product(merchant, "Deal Lamp", stock=20, price=5000, sku="LAMP-1")
    _, stream_id = await _deal_stream(merchant, creator, product, None)
    await creator.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]})
    await creator.post(f"/api/v1/streams/{stream_id}/start")
    sale = {
        "variant_id": product["variants"][0]["id"],
        "quantity": 1,
        "price": {"amount": 4000, "currency": "USD"},
        "per_customer_limit": 1,
        "duration_s": 60,
    }
    assert (await creator.post(f"/api/v1/streams/{stream_id}/flash-sales", json=sale)).status_code == 422


async def test_tags_follow_the_same_rights(creator: Client, merchant: Client) -> None:
    from tests.helpers import upload

    product = await make_product(merchant, "Untaggable Vase", sku="VASE-1")
    image = await upload(creator)
    note = {
        "title": "My vase",
        "images": [
            {"upload_id": image["upload_id"], "tags": [{"product_id": product["id"], "x": 0.5, "y": 0.5}]}
        ],
    }
    refused = await creator.post("/api/v1/notes", json=note)
    assert refused.status_code == 422
    assert str(product["id"]) in refused.json()["fields"]["images"]
    await merchant.post("/api/v1/collaborations", json={"product_id": product["id"], "commission_bps": 1000})
    assert (await creator.post("/api/v1/notes", json=note)).status_code == 201


async def test_a_price_of_zero_is_refused_everywhere(merchant: Client) -> None:
    image = await make_product(merchant, "Priced Kettle", sku="KET-1")
    free = await merchant.post(
        "/api/v1/products",
        json={
            "name": "Free Kettle",
            "description": "Nothing to pay.",
            "image_upload_ids": [],
            "variants": [{"sku": "KET-0", "name": "One", "price": {"amount": 0, "currency": "USD"}}],
        },
    )
    assert free.status_code == 422
    assert any("price" in field for field in free.json()["fields"])
    variant = image["variants"][0]["id"]
    repriced = await merchant.patch(
        f"/api/v1/products/{image['id']}",
        json={"variants": [{"id": variant, "price": {"amount": 0, "currency": "USD"}}]},
    )
    assert repriced.status_code == 422
