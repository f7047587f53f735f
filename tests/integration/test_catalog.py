"""Catalog API: merchants manage their own products; stock changes are written to the ledger."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import StockMovement, Variant
from tests.helpers import Client, make_product, register


async def test_merchant_creates_product_with_variants(client: Client) -> None:
    await register(client, "m@example.com", role="merchant", shop_name="Glow Lab")
    product = await make_product(
        client,
        "Dew Serum",
        variants=[
            {
                "sku": "DEW-30",
                "name": "30 ml",
                "options": {"size": "30 ml"},
                "price": {"amount": 2599, "currency": "USD"},
                "stock_on_hand": 12,
            },
            {
                "sku": "DEW-50",
                "name": "50 ml",
                "options": {"size": "50 ml"},
                "price": {"amount": 3899, "currency": "USD"},
                "stock_on_hand": 0,
            },
        ],
    )
    assert product["merchant"]["name"] == "Glow Lab"
    assert [(v["sku"], v["available"]) for v in product["variants"]] == [("DEW-30", 12), ("DEW-50", 0)]
    assert product["images"][0]["url"].startswith("/media/")
    listed = (await client.get("/api/v1/products?q=dew")).json()
    assert [p["id"] for p in listed["items"]] == [product["id"]]
    assert listed["items"][0]["price"] == {"amount": 2599, "currency": "USD"}


async def test_shopper_cannot_create_products(shopper: Client) -> None:
    response = await shopper.post(
        "/api/v1/products",
        json={
            "name": "X",
            "variants": [{"sku": "X1", "name": "One", "price": {"amount": 100, "currency": "USD"}}],
        },
    )
    assert response.status_code == 403


async def test_other_merchants_product_is_404(merchant: Client, other_merchant: Client) -> None:
    product = await make_product(merchant, "Mine")
    response = await other_merchant.patch(f"/api/v1/products/{product['id']}", json={"name": "Stolen"})
    assert response.status_code == 404
    assert (await merchant.get(f"/api/v1/products/{product['id']}")).json()["name"] == "Mine"


async def test_stock_edit_writes_movement(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(merchant, "Mug", stock=5)
    variant_id = product["variants"][0]["id"]
    response = await merchant.patch(
        f"/api/v1/products/{product['id']}",
        json={
            "variants": [
                {"id": variant_id, "stock_on_hand": 9, "price": {"amount": 1500, "currency": "USD"}}
            ],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["variants"][0]["available"] == 9
    moves = (
        await db.scalars(
            select(StockMovement).where(StockMovement.variant_id == variant_id).order_by(StockMovement.id)
        )
    ).all()
    assert [(m.delta, m.balance_after, m.reason) for m in moves] == [(5, 5, "initial"), (4, 9, "adjustment")]
    variant = await db.get(Variant, variant_id)
    assert variant is not None
    assert variant.price_amount == 1500


async def test_duplicate_sku_is_409_and_nothing_half_written(merchant: Client, db: AsyncSession) -> None:
    await make_product(merchant, "First", sku="SAME-SKU")
    response = await merchant.post(
        "/api/v1/products",
        json={
            "name": "Second",
            "variants": [
                {"sku": "NEW-SKU", "name": "A", "price": {"amount": 100, "currency": "USD"}},
                {"sku": "SAME-SKU", "name": "B", "price": {"amount": 100, "currency": "USD"}},
            ],
        },
    )
    assert response.status_code == 409
    assert response.json()["fields"] == {"sku": "Already used."}
    assert await db.scalar(select(Variant.id).where(Variant.sku == "NEW-SKU")) is None


async def test_bad_product_input_gets_field_errors(merchant: Client) -> None:
    response = await merchant.post(
        "/api/v1/products",
        json={
            "name": "",
            "variants": [
                {
                    "sku": "bad sku!",
                    "name": "A",
                    "price": {"amount": -5, "currency": "usd"},
                    "stock_on_hand": -1,
                }
            ],
        },
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "name" in fields
    assert any("sku" in key for key in fields)
    assert any("amount" in key for key in fields)


async def test_missing_product_is_404(client: Client) -> None:
    response = await client.get("/api/v1/products/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such product."}
