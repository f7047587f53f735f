"""The dashboard's catalog (issue 12): products created and edited through the form, stock moved
only by adjustments with a reason, the movement history, its CSV export, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import Product, ProductImage, StockMovement, Variant
from tests.helpers import Client, make_product, upload
from tests.integration.catalog_helpers import balanced, hold, ledger, level, product_form

PAGES = ["/dashboard/products", "/dashboard/products/new", "/dashboard/products/import"]


async def test_only_merchants_have_a_catalog(anonymous: Client, shopper: Client, creator: Client) -> None:
    form = product_form("X", [{"sku": "X-1", "name": "x", "price": "1"}])
    for browser in (anonymous, shopper, creator):
        for path in [*PAGES, "/dashboard/exports/stock-movements.csv"]:
            assert (await browser.get(path)).status_code == 404, path
        assert (await browser.form("/dashboard/products", form)).status_code == 404


async def test_another_shops_product_is_404_everywhere(
    merchant: Client, other_merchant: Client, db: AsyncSession
) -> None:
    product = await make_product(other_merchant, "Their Serum", stock=5, sku="THEIRS-1")
    pid, vid = product["id"], product["variants"][0]["id"]
    form = product_form("Stolen", [{"id": vid, "sku": "THEIRS-1", "name": "x", "price": "1"}])
    adjustment = {"variant_id": vid, "delta": 5, "reason": "restock"}
    answers = [
        await merchant.get(f"/dashboard/products/{pid}"),
        await merchant.form(f"/dashboard/products/{pid}", form),
        await merchant.form(f"/dashboard/products/{pid}/archive", {}),
        await merchant.get(f"/dashboard/products/{pid}/stock"),
        await merchant.form(
            f"/dashboard/products/{pid}/stock", {**adjustment, "quantity": "5", "mode": "delta"}
        ),
        await merchant.post(f"/api/v1/products/{pid}/stock-adjustments", json=adjustment),
        await merchant.get(f"/api/v1/products/{pid}/stock-movements"),
        await merchant.get(f"/dashboard/exports/stock-movements.csv?product_id={pid}"),
        await merchant.get(f"/dashboard/exports/stock-movements.csv?variant_id={vid}"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert await level(db, vid) == 5
    assert (await db.get(Product, pid, populate_existing=True)).name == "Their Serum"  # type: ignore[union-attr]
    # Their own product, through their own dashboard, is there.
    assert (await other_merchant.get(f"/dashboard/products/{pid}")).status_code == 200


async def test_create_then_edit_a_product_with_photos_and_variants(
    merchant: Client, db: AsyncSession
) -> None:
    first, second = await upload(merchant), await upload(merchant)
    created = await merchant.form(
        "/dashboard/products",
        product_form(
            "Dew Serum",
            [{"sku": "DEW-30", "name": "30 ml", "options": "Size: 30 ml", "price": "25.99", "threshold": 4}],
            images=[f"u:{first['upload_id']}"],
            description="Light and fresh.",
        ),
    )
    assert created.status_code in (302, 303), created.text
    product_id = int(created.headers["location"].split("/")[3].split("?")[0])
    page = await merchant.get(f"/dashboard/products/{product_id}?saved=1")
    assert page.status_code == 200
    assert "data-saved" in page.text
    variant = (await db.scalars(select(Variant).where(Variant.product_id == product_id))).one()
    assert (variant.sku, variant.price_amount, variant.options, variant.low_stock_threshold) == (
        "DEW-30", 2599, {"Size": "30 ml"}, 4,
    )  # fmt: skip
    assert await ledger(db, variant.id) == [(0, 0, "initial", None)]  # stock starts at 0, never typed here

    image_id = (await db.scalars(select(ProductImage.id).where(ProductImage.product_id == product_id))).one()
    edited = await merchant.form(
        f"/dashboard/products/{product_id}",
        product_form(
            "Dew Serum 2",
            [
                {"id": variant.id, "sku": "DEW-30", "name": "30 ml", "price": "27.50", "threshold": 2},
                {"sku": "DEW-50", "name": "50 ml", "options": "Size: 50 ml, Tone: Warm", "price": "39"},
            ],
            images=[f"u:{second['upload_id']}", f"i:{image_id}"],  # the new photo first, the old one kept
        ),
    )
    assert edited.status_code in (302, 303), edited.text
    images = (
        await db.scalars(
            select(ProductImage).where(ProductImage.product_id == product_id).order_by(ProductImage.position)
        )
    ).all()
    assert [i.id == image_id for i in images] == [False, True]
    assert images[0].key.endswith(second["url"].rsplit("/", 1)[-1])
    variants = (
        await db.scalars(
            select(Variant)
            .where(Variant.product_id == product_id)
            .order_by(Variant.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    assert [(v.sku, v.price_amount, v.low_stock_threshold, v.stock_on_hand) for v in variants] == [
        ("DEW-30", 2750, 2, 0),
        ("DEW-50", 3900, 0, 0),
    ]
    assert variants[1].options == {"Size": "50 ml", "Tone": "Warm"}

    dropped = await merchant.form(
        f"/dashboard/products/{product_id}",
        product_form("Dew Serum 2", [{"id": variant.id, "sku": "DEW-30", "name": "30 ml", "price": "27.50"}]),
    )
    assert dropped.status_code in (302, 303)
    photos = select(func.count(ProductImage.id)).where(ProductImage.product_id == product_id)
    assert await db.scalar(photos) == 0
    twice = product_form(
        "Dew Serum 2",
        [{"id": variant.id, "sku": "DEW-30", "name": "30 ml", "price": "27.50"}],
        images=[f"u:{first['upload_id']}", f"u:{first['upload_id']}"],
    )
    refused = await merchant.form(f"/dashboard/products/{product_id}", twice)
    assert refused.status_code == 422
    assert "The same photo is in the list twice." in refused.text
    assert await db.scalar(photos) == 0


async def test_a_form_with_mistakes_comes_back_with_every_error_and_writes_nothing(
    merchant: Client, other_merchant: Client, db: AsyncSession
) -> None:
    await make_product(other_merchant, "Theirs", sku="TAKEN-1")
    product = await make_product(merchant, "Keep Me", sku="KEEP-1", stock=3)
    vid = product["variants"][0]["id"]
    rows = [
        {"id": vid, "sku": "KEEP-1", "name": "Same", "price": "abc"},
        {"sku": "TAKEN-1", "name": "Clash", "price": "5"},
        {"sku": "DUP-1", "name": "One", "price": "5", "options": "no colon here"},
        {"sku": "DUP-1", "name": "Two", "price": "5", "threshold": "lots"},
        {"sku": "bad sku!", "name": "", "price": "5"},
    ]
    answer = await merchant.form(f"/dashboard/products/{product['id']}", product_form("", rows))
    assert answer.status_code == 422
    page = answer.text
    for message in [
        'data-error-for="name"',
        'data-error-for="variants.0.price"',
        'data-error-for="variants.1.sku">SKU TAKEN-1 is already used.',
        'data-error-for="variants.2.options"',
        'data-error-for="variants.3.low_stock_threshold"',
        'data-error-for="variants.4.sku"',
        'data-error-for="variants.4.name"',
    ]:
        assert message in page, message
    assert 'value="no colon here"' in page  # what was typed stays in the form
    stored = await db.get(Product, product["id"], populate_existing=True)
    assert stored is not None
    assert stored.name == "Keep Me"
    count = await db.scalar(select(func.count(Variant.id)).where(Variant.sku.in_(["DUP-1", "bad sku!"])))
    assert count == 0

    # A brand-new product with a duplicate SKU inside the form: nothing is created at all.
    before = await db.scalar(select(func.count(Product.id)))
    dup = [{"sku": "NEW-1", "name": "a", "price": "1"}, {"sku": "NEW-1", "name": "b", "price": "1"}]
    answer = await merchant.form("/dashboard/products", product_form("Fresh", dup))
    assert answer.status_code == 422
    assert 'data-error-for="variants.1.sku"' in answer.text
    assert await db.scalar(select(func.count(Product.id))) == before


async def test_a_variant_is_removed_only_when_nothing_depends_on_it(
    merchant: Client, shopper: Client, db: AsyncSession, clock: ModuleType
) -> None:
    product = await make_product(
        merchant,
        "Trio",
        variants=[
            {
                "sku": f"TRIO-{n}",
                "name": f"n{n}",
                "price": {"amount": 100, "currency": "USD"},
                "stock_on_hand": s,
            }
            for n, s in ((1, 4), (2, 0), (3, 1))
        ],
    )
    pid = product["id"]
    v1, v2, v3 = (v["id"] for v in product["variants"])
    await hold(shopper, v3, 1)  # an unpaid order's line refers to TRIO-3
    rows = [
        {"id": v1, "sku": "TRIO-1", "name": "n1", "price": "1", "remove": "1"},
        {"id": v2, "sku": "TRIO-2", "name": "n2", "price": "1", "remove": "1"},
        {"id": v3, "sku": "TRIO-3", "name": "n3", "price": "1", "remove": "1"},
    ]
    answer = await merchant.form(f"/dashboard/products/{pid}", product_form("Trio", rows))
    assert answer.status_code == 422
    assert "Keep at least one variant." in answer.text
    assert 'data-error-for="variants.0">4 in stock: adjust it to 0 first' in answer.text
    assert 'data-error-for="variants.2">1 in stock' in answer.text
    assert 'data-error-for="variants.1"' not in answer.text  # TRIO-2 could go

    rows[0].pop("remove")
    rows[2].pop("remove")
    removed = await merchant.form(f"/dashboard/products/{pid}", product_form("Trio", rows))
    assert removed.status_code in (302, 303), removed.text
    left = (await db.scalars(select(Variant.sku).where(Variant.product_id == pid))).all()
    assert sorted(left) == ["TRIO-1", "TRIO-3"]

    clock.advance(timedelta(minutes=11))  # the hold lapses, so TRIO-3 may be counted to 0
    counted = await merchant.post(
        f"/api/v1/products/{pid}/stock-adjustments", json={"variant_id": v3, "level": 0, "reason": "count"}
    )
    assert counted.status_code == 201, counted.text
    rows[2]["remove"] = "1"  # no stock, but the order still refers to it
    answer = await merchant.form(f"/dashboard/products/{pid}", product_form("Trio", rows[::2]))
    assert answer.status_code == 422
    assert "Orders or a flash sale refer to this variant" in answer.text
    assert await db.scalar(select(func.count(Variant.id)).where(Variant.product_id == pid)) == 2


async def test_archive_and_unarchive(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(merchant, "Seasonal", sku="SEA-1")
    assert (await merchant.form(f"/dashboard/products/{product['id']}/archive", {})).status_code in (302, 303)
    assert (await merchant.get(f"/api/v1/products/{product['id']}")).status_code == 404  # off the shop
    archived = await merchant.get("/dashboard/products?status=archived")
    assert f'data-product-id="{product["id"]}"' in archived.text
    assert "data-archived" in archived.text
    active = await merchant.get("/dashboard/products?status=active")
    assert f'data-product-id="{product["id"]}"' not in active.text
    assert (await merchant.form(f"/dashboard/products/{product['id']}/unarchive", {})).status_code in (
        302,
        303,
    )
    assert (await merchant.get(f"/api/v1/products/{product['id']}")).status_code == 200


async def test_the_list_filters_by_stock_with_badges_counting_live_holds(
    merchant: Client, shopper: Client
) -> None:
    plenty = await make_product(merchant, "Plenty", sku="PLENTY-1", stock=10)
    low = await make_product(merchant, "Lowish", sku="LOWISH-1", stock=2)
    out = await make_product(merchant, "Gone", sku="GONE-1", stock=0)
    for product, threshold in ((plenty, 3), (low, 5)):
        vid = product["variants"][0]["id"]
        patch = {"variants": [{"id": vid, "low_stock_threshold": threshold}]}
        assert (await merchant.patch(f"/api/v1/products/{product['id']}", json=patch)).status_code == 200

    def ids(page: str) -> set[int]:
        return {p["id"] for p in (plenty, low, out) if f'data-product-id="{p["id"]}"' in page}

    assert ids((await merchant.get("/dashboard/products?stock=low")).text) == {low["id"], out["id"]}
    assert ids((await merchant.get("/dashboard/products?stock=out")).text) == {out["id"]}
    assert ids((await merchant.get("/dashboard/products?q=plenty-1")).text) == {
        plenty["id"]
    }  # SKUs are searched
    listing = (await merchant.get("/dashboard/products")).text
    assert 'data-stock-state="low"' in listing
    assert 'data-stock-state="out"' in listing

    await hold(shopper, plenty["variants"][0]["id"], 8)  # 10 on hand, 8 held: 2 available ≤ 3
    listing = (await merchant.get("/dashboard/products?stock=low")).text
    assert ids(listing) == {plenty["id"], low["id"], out["id"]}
    assert f'data-variant-id="{plenty["variants"][0]["id"]}" data-available="2"' in listing
    assert (await merchant.get("/dashboard/products?stock=soon")).status_code == 422


async def test_product_names_and_notes_are_escaped(merchant: Client) -> None:
    evil = "<script>alert(1)</script>"
    product = await make_product(merchant, evil, sku="EVIL-1", stock=1)
    await merchant.post(
        f"/api/v1/products/{product['id']}/stock-adjustments",
        json={"variant_id": product["variants"][0]["id"], "delta": 1, "reason": "restock", "note": evil},
    )
    for path in [
        "/dashboard/products",
        f"/dashboard/products/{product['id']}",
        f"/dashboard/products/{product['id']}/stock",
    ]:
        page = (await merchant.get(path)).text
        assert evil not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


async def test_each_adjustment_is_one_movement_with_its_reason(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(merchant, "Clay", sku="CLAY-9", stock=5)
    pid, vid = product["id"], product["variants"][0]["id"]
    url = f"/api/v1/products/{pid}/stock-adjustments"
    restock = await merchant.post(
        url, json={"variant_id": vid, "delta": 7, "reason": "restock", "note": "PO 118"}
    )
    assert restock.status_code == 201, restock.text
    body = restock.json()
    assert (body["delta"], body["balance_after"], body["reason"], body["note"], body["sku"]) == (
        7, 12, "restock", "PO 118", "CLAY-9",
    )  # fmt: skip
    assert body["actor"] == merchant.me["display_name"]
    assert (
        await merchant.post(url, json={"variant_id": vid, "delta": -2, "reason": "damage"})
    ).status_code == 201
    assert (
        await merchant.post(url, json={"variant_id": vid, "level": 4, "reason": "count"})
    ).status_code == 201
    page = await merchant.form(
        f"/dashboard/products/{pid}/stock",
        {
            "variant_id": vid,
            "mode": "delta",
            "quantity": "+3",
            "reason": "return",
            "note": "Order 4 came back",
        },
    )
    assert page.status_code in (302, 303)
    assert await ledger(db, vid) == [
        (5, 5, "initial", None),
        (7, 12, "restock", "PO 118"),
        (-2, 10, "damage", None),
        (-6, 4, "count", None),
        (3, 7, "return", "Order 4 came back"),
    ]
    assert await balanced(db, vid)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delta": 2, "reason": "sale"}, "reason"),  # a reason the system writes, not the merchant
        ({"delta": 2, "level": 3, "reason": "count"}, None),
        ({"delta": 0, "reason": "correction"}, None),
        ({"reason": "count"}, None),
        ({"delta": -1, "reason": "restock"}, "reason"),  # a restock only adds
        ({"delta": 2, "reason": "damage"}, "reason"),
        ({"delta": -9, "reason": "damage"}, "delta"),  # more than on hand
        ({"level": 5, "reason": "count"}, "level"),  # already 5
        ({"delta": 1, "reason": "restock", "price": 1}, None),  # unknown fields are refused
        ({"delta": 1, "reason": "restock", "note": "x" * 201}, None),
    ],
)
async def test_adjustments_that_make_no_sense_are_refused(
    merchant: Client, db: AsyncSession, body: dict[str, object], field: str | None
) -> None:
    product = await make_product(merchant, "Tonic", sku="TONIC-1", stock=5)
    vid = product["variants"][0]["id"]
    answer = await merchant.post(
        f"/api/v1/products/{product['id']}/stock-adjustments", json={"variant_id": vid, **body}
    )
    assert answer.status_code == 422, answer.text
    if field:
        assert field in answer.json()["fields"]
    assert await ledger(db, vid) == [(5, 5, "initial", None)]


async def test_a_variant_of_another_product_or_a_huge_id_is_refused(merchant: Client) -> None:
    one = await make_product(merchant, "One", sku="ONE-1")
    two = await make_product(merchant, "Two", sku="TWO-1")
    url = f"/api/v1/products/{one['id']}/stock-adjustments"
    wrong = await merchant.post(
        url, json={"variant_id": two["variants"][0]["id"], "delta": 1, "reason": "restock"}
    )
    assert wrong.status_code == 404
    huge = await merchant.post(url, json={"variant_id": 10**40, "delta": 1, "reason": "restock"})
    assert huge.status_code == 422
    assert (await merchant.get(f"/api/v1/products/{10**40}/stock-movements")).status_code in (400, 404, 422)


async def test_stock_cannot_go_below_what_checkouts_hold(
    merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    product = await make_product(merchant, "Mask", sku="MASK-1", stock=5)
    pid, vid = product["id"], product["variants"][0]["id"]
    await hold(shopper, vid, 3)
    url = f"/api/v1/products/{pid}/stock-adjustments"
    low = await merchant.post(url, json={"variant_id": vid, "level": 2, "reason": "count"})
    assert low.status_code == 422
    assert "3 units are held" in low.json()["fields"]["level"]
    take = await merchant.post(url, json={"variant_id": vid, "delta": -3, "reason": "damage"})
    assert take.status_code == 422
    assert "3 units are held" in take.json()["fields"]["delta"]
    page = await merchant.form(
        f"/dashboard/products/{pid}/stock",
        {"variant_id": vid, "mode": "level", "quantity": "1", "reason": "count"},
    )
    assert page.status_code == 422
    assert "3 units are held by shoppers paying right now" in page.text
    assert await ledger(db, vid) == [(5, 5, "initial", None)]
    assert (
        await merchant.post(url, json={"variant_id": vid, "level": 3, "reason": "count"})
    ).status_code == 201
    stock_page = (await merchant.get(f"/dashboard/products/{pid}/stock")).text
    assert "<strong data-held>3</strong>" in stock_page
    assert "<strong data-available>0</strong>" in stock_page


async def _movements_csv(client: Client, query: str) -> list[dict[str, str]]:
    answer = await client.get(f"/dashboard/exports/stock-movements.csv?{query}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


async def test_history_pages_and_the_export_agree(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(
        merchant,
        "Duo",
        variants=[
            {"sku": "DUO-A", "name": "A", "price": {"amount": 100, "currency": "USD"}, "stock_on_hand": 3},
            {"sku": "DUO-B", "name": "B", "price": {"amount": 100, "currency": "USD"}, "stock_on_hand": 1},
        ],
    )
    pid = product["id"]
    a, b = (v["id"] for v in product["variants"])
    url = f"/api/v1/products/{pid}/stock-adjustments"
    for body in [
        {"variant_id": a, "delta": 4, "reason": "restock", "note": '=HYPERLINK("http://x","y")'},
        {"variant_id": a, "delta": -1, "reason": "damage", "note": "+cmd|' /C calc'!A0"},
        {"variant_id": b, "level": 6, "reason": "count"},
        {"variant_id": a, "delta": 2, "reason": "restock"},
    ]:
        assert (await merchant.post(url, json=body)).status_code == 201

    first = (await merchant.get(f"/api/v1/products/{pid}/stock-movements?variant_id={a}&limit=2")).json()
    second = (
        await merchant.get(
            f"/api/v1/products/{pid}/stock-movements?variant_id={a}&limit=2&cursor={first['next_cursor']}"
        )
    ).json()
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4
    assert ids == sorted(ids, reverse=True)
    assert second["next_cursor"] is None
    assert (first["count"], first["added"], first["removed"], first["net"]) == (4, 9, 1, 8)
    assert first["net"] == await level(db, a)

    for query in [
        f"product_id={pid}",
        f"product_id={pid}&variant_id={a}",
        f"product_id={pid}&reason=restock",
        "",
    ]:
        rows = await _movements_csv(merchant, query)
        page_query = query.replace(f"product_id={pid}", "").lstrip("&")
        page = (await merchant.get(f"/dashboard/products/{pid}/stock?{page_query}")).text
        net = sum(int(r["delta"]) for r in rows)
        assert f'data-count="{len(rows)}" data-net="{net}"' in page, query
    everything = await _movements_csv(merchant, f"product_id={pid}")
    assert len(everything) == 6
    assert [r["movement_id"] for r in everything] == sorted((r["movement_id"] for r in everything), key=int)
    notes = [r["note"] for r in everything if r["note"]]
    assert notes == ['\'=HYPERLINK("http://x","y")', "'+cmd|' /C calc'!A0"]  # quoted as text
    assert {r["reason"] for r in await _movements_csv(merchant, f"product_id={pid}&reason=restock")} == {
        "restock"
    }


async def test_the_export_of_an_empty_shop_is_its_header(merchant: Client, other_merchant: Client) -> None:
    await make_product(other_merchant, "Not Mine", sku="NOTMINE-1", stock=4)
    answer = await merchant.get("/dashboard/exports/stock-movements.csv")
    assert answer.status_code == 200
    assert answer.text.strip().splitlines() == [
        "movement_id,created_at,product_id,product,sku,variant,delta,balance_after,reason,note,by"
    ]


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-05-10&until=2026-05-01",
        "since=1900-01-01",
        "until=not-a-date",
        "reason=stolen",
        "variant_id=0",
    ],
)
async def test_bad_history_filters_are_422(merchant: Client, query: str) -> None:
    product = await make_product(merchant, "Filters", sku="FILT-1")
    assert (await merchant.get(f"/dashboard/exports/stock-movements.csv?{query}")).status_code in (400, 422)
    assert (await merchant.get(f"/api/v1/products/{product['id']}/stock-movements?{query}")).status_code in (
        400,
        422,
    )
    assert (await merchant.get(f"/dashboard/products/{product['id']}/stock?{query}")).status_code == 422


async def test_a_date_range_counts_whole_utc_days(
    merchant: Client, clock: ModuleType, db: AsyncSession
) -> None:
    clock.set(datetime(2026, 3, 28, 23, 30, tzinfo=UTC))  # the night Europe moves its clocks
    product = await make_product(merchant, "Night", sku="NIGHT-1", stock=1)
    clock.set(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    url = f"/api/v1/products/{product['id']}/stock-adjustments"
    assert (
        await merchant.post(
            url, json={"variant_id": product["variants"][0]["id"], "delta": 2, "reason": "restock"}
        )
    ).status_code == 201
    day = await _movements_csv(merchant, f"product_id={product['id']}&since=2026-03-29&until=2026-03-29")
    assert [r["reason"] for r in day] == ["restock"]
    both = await _movements_csv(merchant, f"product_id={product['id']}&since=2026-03-28&until=2026-03-29")
    assert [r["reason"] for r in both] == ["initial", "restock"]
    assert await db.scalar(select(func.count(StockMovement.id))) == 2
