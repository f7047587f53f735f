"""Creators' showcases and the marketplace: who may add what, what the public sees, categories,
the marketplace page's filters, sort and Add to showcase (JS API and plain form)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.models import Product
from shop.core import clock
from shop.partnerships.models import ShowcaseItem
from shop.partnerships.showcase import MAX_ITEMS
from tests.helpers import Client, make_product


async def _product(
    merchant: Client, name: str, *, price: int = 3000, category: str | None = None
) -> dict[str, Any]:
    product = await make_product(merchant, name, price=price, sku=name.upper().replace(" ", "-"))
    if category is not None:
        changed = await merchant.patch(f"/api/v1/products/{product['id']}", json={"category": category})
        assert changed.status_code == 200, changed.text
        product = changed.json()
    return product


async def _open(merchant: Client, product_id: int, bps: int) -> int:
    opened = await merchant.post(
        "/api/v1/collaborations", json={"product_id": product_id, "commission_bps": bps}
    )
    assert opened.status_code == 201, opened.text
    return int(opened.json()["id"])


async def _showcase(client: Client, user_id: int, query: str = "") -> dict[str, Any]:
    listed = await client.get(f"/api/v1/users/{user_id}/showcase{query}")
    assert listed.status_code == 200, listed.text
    return dict(listed.json())


def _names_in_order(html: str, names: list[str]) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


async def test_products_have_a_category(merchant: Client, shopper: Client) -> None:
    plain = await make_product(merchant, "Plain Tote", sku="TOTE-1")
    assert (plain["category"], plain["category_label"]) == ("other", "Other")
    body = {
        "name": "Rice Essence",
        "category": "beauty",
        "variants": [{"sku": "RICE-1", "name": "100 ml", "price": {"amount": 2200, "currency": "USD"}}],
    }
    created = await merchant.post("/api/v1/products", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["category"] == "beauty"
    changed = await merchant.patch(f"/api/v1/products/{plain['id']}", json={"category": "fashion"})
    assert (changed.json()["category"], changed.json()["category_label"]) == ("fashion", "Fashion")
    assert (await shopper.get(f"/api/v1/products/{plain['id']}")).json()["category"] == "fashion"
    bad = await merchant.patch(f"/api/v1/products/{plain['id']}", json={"category": "weapons"})
    assert bad.status_code == 422
    assert "category" in bad.json()["fields"]


async def test_a_creator_adds_lists_and_removes(merchant: Client, creator: Client, anonymous: Client) -> None:
    serum = await _product(merchant, "Dew Serum", price=2599)
    mug = await _product(merchant, "Stone Mug", price=3200)
    await _open(merchant, serum["id"], 1500)
    await _open(merchant, mug["id"], 800)
    for product in (serum, mug, serum):  # adding again changes nothing
        added = await creator.post("/api/v1/me/showcase", json={"product_id": product["id"]})
        assert added.status_code == 201, added.text
    assert added.json()["product"]["id"] == serum["id"]
    assert added.json()["commission_bps"] == 1500

    page = await _showcase(anonymous, creator.id)
    assert [i["product"]["id"] for i in page["items"]] == [mug["id"], serum["id"]]  # newest first
    first = page["items"][1]
    assert first["product"]["name"] == "Dew Serum"
    assert first["product"]["price"] == {"amount": 2599, "currency": "USD"}
    assert first["product"]["image_url"].startswith("/media/")
    assert first["merchant"] == {"id": merchant.me["merchant"]["id"], "name": merchant.me["merchant"]["name"]}
    assert first["commission_bps"] == 1500

    one = await _showcase(anonymous, creator.id, "?limit=1")
    assert [i["product"]["id"] for i in one["items"]] == [mug["id"]]
    assert one["next_cursor"]
    rest = await _showcase(anonymous, creator.id, f"?limit=1&cursor={one['next_cursor']}")
    assert [i["product"]["id"] for i in rest["items"]] == [serum["id"]]
    assert rest["next_cursor"] is None

    assert (await creator.delete(f"/api/v1/me/showcase/{mug['id']}")).status_code == 200
    assert (await creator.delete(f"/api/v1/me/showcase/{mug['id']}")).status_code == 404
    assert [i["product"]["id"] for i in (await _showcase(anonymous, creator.id))["items"]] == [serum["id"]]
    assert (await anonymous.get("/api/v1/users/999999/showcase")).status_code == 404


async def test_only_creators_add_and_only_what_they_may_sell(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client, anonymous: Client
) -> None:
    closed = await _product(other_merchant, "Clay Teapot")
    body = {"product_id": closed["id"]}
    assert (await anonymous.post("/api/v1/me/showcase", json=body)).status_code == 401
    assert (await shopper.post("/api/v1/me/showcase", json=body)).status_code == 403
    assert (await merchant.post("/api/v1/me/showcase", json=body)).status_code == 403
    refused = await creator.post("/api/v1/me/showcase", json=body)
    assert refused.status_code == 422
    assert "Clay Teapot" in refused.json()["message"]
    assert str(closed["id"]) in refused.json()["fields"]["product_id"]
    unknown = await creator.post("/api/v1/me/showcase", json={"product_id": 987654})
    assert unknown.status_code == 422
    assert "987654" in unknown.json()["fields"]["product_id"]
    assert (await creator.post("/api/v1/me/showcase", json={"product_id": 0})).status_code == 422
    assert (await _showcase(anonymous, creator.id))["items"] == []


async def test_a_closed_collaboration_drops_out_of_the_showcase(
    merchant: Client, creator: Client, anonymous: Client
) -> None:
    product = await _product(merchant, "Silk Pillowcase")
    cid = await _open(merchant, product["id"], 1000)
    assert (await creator.post("/api/v1/me/showcase", json={"product_id": product["id"]})).status_code == 201
    assert len((await _showcase(anonymous, creator.id))["items"]) == 1

    await merchant.delete(f"/api/v1/collaborations/{cid}")
    assert (await _showcase(anonymous, creator.id))["items"] == []
    tab = await anonymous.get(f"/users/{creator.id}?tab=showcase")
    assert "Silk Pillowcase" not in tab.text
    market = await creator.get("/studio/marketplace")
    assert "Silk Pillowcase" not in market.text

    await _open(merchant, product["id"], 1200)  # open again: the row was kept, so it is back
    items = (await _showcase(anonymous, creator.id))["items"]
    assert [(i["product"]["id"], i["commission_bps"]) for i in items] == [(product["id"], 1200)]


async def test_a_showcase_holds_at_most_200(merchant: Client, creator: Client, db: AsyncSession) -> None:
    merchant_id = merchant.me["merchant"]["id"]
    now = clock.now()
    stamps = {"created_at": now, "updated_at": now}
    await db.execute(
        insert(Product),
        [{"merchant_id": merchant_id, "name": f"Filler {i}", **stamps} for i in range(MAX_ITEMS)],
    )
    ids = (await db.scalars(select(Product.id).where(Product.merchant_id == merchant_id))).all()
    rows = [
        {"creator_id": creator.id, "product_id": pid, "added_at": now, "position": n, **stamps}
        for n, pid in enumerate(ids, 1)
    ]
    await db.execute(insert(ShowcaseItem), rows)
    await db.commit()
    extra = await _product(merchant, "One Too Many")
    await _open(merchant, extra["id"], 1000)
    full = await creator.post("/api/v1/me/showcase", json={"product_id": extra["id"]})
    assert full.status_code == 422
    assert "200" in full.json()["fields"]["product_id"]
    await creator.delete(f"/api/v1/me/showcase/{ids[0]}")
    assert (await creator.post("/api/v1/me/showcase", json={"product_id": extra["id"]})).status_code == 201


async def test_the_api_lists_by_rate_and_category(merchant: Client, creator: Client) -> None:
    low = await _product(merchant, "Oat Cleanser", category="beauty")
    high = await _product(merchant, "Rain Shell", category="sports")
    mid = await _product(merchant, "Glow Drops", category="beauty")
    for product, bps in ((low, 500), (high, 3000), (mid, 1500)):
        await _open(merchant, product["id"], bps)

    by_rate = (await creator.get("/api/v1/collaborations?sort=rate")).json()["items"]
    assert [c["commission_bps"] for c in by_rate] == [3000, 1500, 500]
    newest = (await creator.get("/api/v1/collaborations")).json()["items"]
    assert [c["product"]["id"] for c in newest] == [mid["id"], high["id"], low["id"]]
    beauty = (await creator.get("/api/v1/collaborations?sort=rate&category=beauty")).json()["items"]
    assert [c["product"]["id"] for c in beauty] == [mid["id"], low["id"]]
    assert beauty[0]["product"]["category"] == "beauty"

    seen, cursor = [], ""
    for _ in range(3):
        page = (await creator.get(f"/api/v1/collaborations?sort=rate&limit=1{cursor}")).json()
        seen += [c["commission_bps"] for c in page["items"]]
        cursor = f"&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == [3000, 1500, 500]
    assert cursor == ""
    for query in ("category=weapons", "sort=cheapest", "cursor=%25%25"):
        assert (await creator.get(f"/api/v1/collaborations?{query}")).status_code == 422, query


async def test_the_marketplace_page(
    merchant: Client, creator: Client, shopper: Client, anonymous: Client
) -> None:
    serum = await _product(merchant, "Dew Serum", price=3000, category="beauty")
    shell = await _product(merchant, "Rain Shell", price=14900, category="sports")
    mask = await _product(merchant, "Sleep Mask", price=2600, category="beauty")
    serum_cid = await _open(merchant, serum["id"], 1200)
    await _open(merchant, shell["id"], 2000)
    await _open(merchant, mask["id"], 500)
    await merchant.patch(f"/api/v1/collaborations/{serum_cid}", json={"commission_bps": 800})
    names = ["Dew Serum", "Rain Shell", "Sleep Mask"]

    page = await creator.get("/studio/marketplace")
    assert page.status_code == 200
    assert _names_in_order(page.text, names) == ["Rain Shell", "Dew Serum", "Sleep Mask"]  # by rate
    assert "12% commission</strong> · earn $3.60 per sale" in page.text
    assert re.search(r"drops to 8% on <time[^>]*>[A-Z][a-z]{2} \d{1,2}, \d{4}</time>", page.text)
    assert "/static/js/marketplace.js" in page.text
    assert 'name="_csrf_token"' in page.text

    newest = await creator.get("/studio/marketplace?sort=new")
    assert _names_in_order(newest.text, names) == ["Sleep Mask", "Rain Shell", "Dew Serum"]
    beauty = await creator.get("/studio/marketplace?category=beauty")
    assert _names_in_order(beauty.text, names) == ["Dew Serum", "Sleep Mask"]
    assert 'class="market-chip active" href="/studio/marketplace?category=beauty"' in beauty.text
    rich = await creator.get("/studio/marketplace?min_bps=1000")
    assert _names_in_order(rich.text, names) == ["Rain Shell", "Dew Serum"]
    found = await creator.get("/studio/marketplace?q=shell")
    assert _names_in_order(found.text, names) == ["Rain Shell"]

    assert (await shopper.get("/studio/marketplace")).status_code == 403
    assert (await merchant.get("/studio/marketplace")).status_code == 403
    signed_out = await anonymous.get("/studio/marketplace", follow_redirects=False)
    assert signed_out.status_code in (302, 303)
    assert "/login" in signed_out.headers["location"]


async def test_add_to_showcase_works_as_a_plain_form(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    product = await _product(merchant, "Felt Desk Mat", category="home")
    await _open(merchant, product["id"], 800)
    form = {"product_id": str(product["id"]), "action": "add", "next": "/studio/marketplace?category=home"}
    added = await creator.form("/studio/marketplace/showcase", form)
    assert added.status_code in (302, 303)
    assert added.headers["location"] == f"/studio/marketplace?category=home#product-{product['id']}"
    page = await creator.get("/studio/marketplace?category=home")
    assert 'aria-pressed="true"' in page.text
    assert "In showcase" in page.text
    assert (await _showcase(creator, creator.id))["items"][0]["product"]["id"] == product["id"]

    evil = {**form, "action": "remove", "next": "//evil.example/"}
    removed = await creator.form("/studio/marketplace/showcase", evil)
    assert removed.headers["location"].startswith("/studio/marketplace#")
    assert (await _showcase(creator, creator.id))["items"] == []
    assert (await creator.form("/studio/marketplace/showcase", evil)).status_code in (302, 303)  # idempotent
    assert (await creator.form("/studio/marketplace/showcase", form, csrf=False)).status_code == 403
    assert (await shopper.form("/studio/marketplace/showcase", form)).status_code == 403


async def test_the_profile_showcase_tab(merchant: Client, creator: Client, shopper: Client) -> None:
    product = await _product(merchant, "Matcha Bowl", price=5400)
    await _open(merchant, product["id"], 1000)
    await creator.post("/api/v1/me/showcase", json={"product_id": product["id"]})

    notes_tab = await shopper.get(f"/users/{creator.id}")
    assert f'href="/users/{creator.id}?tab=showcase"' in notes_tab.text
    tab = await shopper.get(f"/users/{creator.id}?tab=showcase")
    assert tab.status_code == 200
    assert f'href="/products/{product["id"]}"' in tab.text
    assert "Matcha Bowl" in tab.text
    assert "$54.00" in tab.text
    assert "?tab=showcase" not in (await shopper.get(f"/users/{merchant.id}")).text  # creators only

    me = await creator.get("/me")
    assert 'href="/studio/marketplace"' in me.text
    assert 'href="/studio/marketplace"' in (await creator.get("/studio")).text


async def test_a_suspended_shop_leaves_the_marketplace_and_showcases(
    merchant: Client, creator: Client, anonymous: Client, db: AsyncSession
) -> None:
    product = await _product(merchant, "Cica Pads")
    await _open(merchant, product["id"], 1500)
    assert (await creator.post("/api/v1/me/showcase", json={"product_id": product["id"]})).status_code == 201
    await db.execute(
        update(Merchant).where(Merchant.id == merchant.me["merchant"]["id"]).values(status="suspended")
    )
    await db.commit()
    assert (await creator.get("/api/v1/collaborations")).json()["items"] == []
    assert "Cica Pads" not in (await creator.get("/studio/marketplace")).text
    assert (await _showcase(anonymous, creator.id))["items"] == []
