"""Things users notice: /schema works offline, the upload field is documented as `file`, a favicon,
human status words, product thumbnails on order pages, and the hold shown as time left."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import ProductImage
from shop.core.labels import held_for, status_label
from shop.orders.models import Order
from tests.helpers import Client, png_bytes, register
from tests.payments_helpers import shop_with_stock, shopper_with_cart


async def test_schema_page_needs_no_other_host(client: Client) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "redoc-init.js" in page.text  # Redoc starts from a file: the CSP runs no inline script
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert urls, page.text[:500]
    assert not [u for u in urls if "//" in u], urls  # nothing from a CDN or Google Fonts
    assert "fonts.googleapis" not in page.text
    script = next(u for u in urls if u.endswith(".js"))
    served = await client.get(script)
    assert served.status_code == 200
    assert len(served.content) > 500_000  # the real Redoc bundle, not a stub
    licence = await client.get("/static/vendor/redoc/LICENSE")
    assert licence.status_code == 200
    assert "MIT" in licence.text


async def test_upload_schema_names_the_file_field(client: Client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    body = spec["paths"]["/api/v1/uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"][ref]
    assert set(schema["properties"]) == {"file"}
    assert schema["properties"]["file"]["format"] == "binary"
    assert schema["required"] == ["file"]

    # Uploading exactly as the schema says works; the old `files` name is refused with a 4xx.
    await register(client, "c@example.com", role="creator")
    ok = await client.post("/api/v1/uploads", files={"file": ("a.png", png_bytes(), "image/png")})
    assert ok.status_code == 201, ok.text
    assert ok.json()["url"].startswith("/media/")
    wrong = await client.post("/api/v1/uploads", files={"files": ("a.png", png_bytes(), "image/png")})
    assert 400 <= wrong.status_code < 500
    assert "file" in wrong.text


async def test_favicon(client: Client) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code in (301, 302, 307, 308)
    svg = await client.get(icon.headers["location"])
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "#ff2442" in svg.text
    assert ">z<" in svg.text
    home = await client.get("/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home.text


def test_status_labels_and_hold_text() -> None:
    assert status_label("partially_refunded") == "Partially refunded"
    assert status_label("pending_payment") == "Awaiting payment"
    assert status_label("some_new_state") == "Some new state"
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert held_for(now + timedelta(minutes=8, seconds=30), now) == "Held for you for 9 min"
    assert held_for(now + timedelta(seconds=20), now) == "Held for you for less than a minute"
    assert held_for(now - timedelta(seconds=1), now).startswith("Your hold has ended")


async def _order(client: Client, other_client: Client) -> dict:
    product = await shop_with_stock(other_client)
    await shopper_with_cart(client, product["variants"][0]["id"])
    response = await client.post("/api/v1/checkout")
    assert response.status_code == 201, response.text
    return {"order_id": response.json()["order_id"], "product": product}


@pytest.mark.corrupts_books  # it sets a refunded amount without a refund, to draw the label
async def test_order_pages_show_thumbnails_labels_and_time_left(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    made = await _order(client, other_client)
    order_id, product = made["order_id"], made["product"]

    page = (await client.get(f"/orders/{order_id}")).text
    assert "Awaiting payment" in page
    assert "pending_payment<" not in page
    assert re.search(r"Held for you for (9|10) min", page)
    assert "/static/js/hold.js" in page
    assert "UTC" not in page
    assert "<span></span>" not in page
    assert 'class="cart-thumb"><img src="/media/' in page
    pay = (await client.get(f"/orders/{order_id}/pay")).text
    assert re.search(r"Held for you for (9|10) min", pay)
    assert "/static/js/hold.js" in pay

    await db.execute(
        update(Order).where(Order.id == order_id).values(status="partially_refunded", refunded_amount=100)
    )
    await db.commit()
    listing = (await client.get("/orders")).text
    assert "Partially refunded" in listing
    assert "partially_refunded<" not in listing
    assert "partially refunded<" not in listing
    assert "Dew Serum" in listing
    assert "<img src=" in listing
    detail = (await client.get(f"/orders/{order_id}")).text
    assert "Part of this order was refunded" in detail
    assert ">Partially refunded<" in detail

    # A product without photos gets a neat placeholder, not an empty slot.
    await db.execute(delete(ProductImage).where(ProductImage.product_id == product["id"]))
    await db.commit()
    bare = (await client.get(f"/orders/{order_id}")).text
    assert 'class="thumb-placeholder"' in bare
    assert "/static/css/orders.css" in bare
