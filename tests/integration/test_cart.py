"""Cart: DB prices only, summed stock per variant, guest carts that merge at sign-in, 404 for others."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.cart.models import Cart, CartLine
from tests.helpers import PASSWORD, Client, make_note, make_product, register


async def _catalog(merchant: Client, stock: int = 3) -> tuple[dict, dict]:
    await register(merchant, "m@example.com", role="merchant")
    product = await make_product(merchant, "Dew Serum", stock=stock, price=2599)
    note = await make_note(merchant, [product["id"]])
    return product, note


async def test_guest_cart_by_cookie(client: Client, other_client: Client) -> None:
    product, note = await _catalog(other_client)
    variant_id = product["variants"][0]["id"]
    response = await client.post(
        "/api/v1/cart/lines",
        json={"variant_id": variant_id, "quantity": 1, "source": {"type": "note", "id": note["id"]}},
    )
    assert response.status_code == 201
    assert client.raw.cookies.get("zc_cart")
    cart = (await client.get("/api/v1/cart")).json()
    assert cart["lines"][0]["source"] == {"type": "note", "id": note["id"]}
    assert cart["lines"][0]["unit_price"] == {"amount": 2599, "currency": "USD"}


async def test_client_cannot_set_the_price(client: Client, other_client: Client) -> None:
    product, _ = await _catalog(other_client)
    response = await client.post(
        "/api/v1/cart/lines",
        json={
            "variant_id": product["variants"][0]["id"],
            "quantity": 1,
            "unit_price": {"amount": 1, "currency": "USD"},
        },
    )
    assert response.status_code == 422
    assert "unit_price" in response.json()["fields"]


async def test_summed_demand_across_lines_is_capped_by_stock(client: Client, other_client: Client) -> None:
    product, note = await _catalog(other_client, stock=3)
    variant_id = product["variants"][0]["id"]
    assert (
        await client.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 2})
    ).status_code == 201
    from_note = await client.post(
        "/api/v1/cart/lines",
        json={
            "variant_id": variant_id,
            "quantity": 2,
            "source": {"type": "note", "id": note["id"]},
        },
    )
    assert from_note.status_code == 409
    assert from_note.json()["code"] == "out_of_stock"
    assert "Only 3 left" in from_note.json()["message"]
    ok = await client.post(
        "/api/v1/cart/lines",
        json={
            "variant_id": variant_id,
            "quantity": 1,
            "source": {"type": "note", "id": note["id"]},
        },
    )
    cart = ok.json()
    assert [(line["quantity"], line["source"]["type"]) for line in cart["lines"]] == [
        (2, "direct"),
        (1, "note"),
    ]
    grow = await client.patch(f"/api/v1/cart/lines/{cart['lines'][0]['id']}", json={"quantity": 3})
    assert grow.status_code == 409


async def test_same_variant_and_source_merge_into_one_line(client: Client, other_client: Client) -> None:
    product, _ = await _catalog(other_client, stock=10)
    variant_id = product["variants"][0]["id"]
    for _ in range(2):
        await client.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 2})
    cart = (await client.get("/api/v1/cart")).json()
    assert [line["quantity"] for line in cart["lines"]] == [4]
    assert cart["subtotal"]["amount"] == 4 * 2599


async def test_bad_quantities_and_missing_variants(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    product, _ = await _catalog(other_client)
    variant_id = product["variants"][0]["id"]
    for quantity in (0, -1, 10**9):
        response = await client.post(
            "/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": quantity}
        )
        assert response.status_code == 422, quantity
        assert "quantity" in response.json()["fields"]
    missing = await client.post("/api/v1/cart/lines", json={"variant_id": 987654, "quantity": 1})
    assert missing.status_code == 404
    bad_source = await client.post(
        "/api/v1/cart/lines",
        json={
            "variant_id": variant_id,
            "quantity": 1,
            "source": {"type": "note", "id": 424242},
        },
    )
    assert bad_source.status_code == 422
    assert await db.scalar(select(func.count(CartLine.id))) == 0


async def test_someone_elses_cart_line_is_404(shopper: Client, other_client: Client) -> None:
    product, _ = await _catalog(other_client)
    added = await other_client.post("/api/v1/cart/lines", json={"variant_id": product["variants"][0]["id"]})
    line_id = added.json()["lines"][0]["id"]
    assert (await shopper.patch(f"/api/v1/cart/lines/{line_id}", json={"quantity": 2})).status_code == 404
    assert (await shopper.delete(f"/api/v1/cart/lines/{line_id}")).status_code == 404
    assert (await other_client.get("/api/v1/cart")).json()["lines"][0]["quantity"] == 1


async def test_guest_cart_merges_into_account_at_login(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    product, note = await _catalog(other_client, stock=5)
    variant_id = product["variants"][0]["id"]
    await register(client, "buyer@example.com")
    await client.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 2})
    await client.post("/api/v1/auth/logout")
    client.raw.cookies.clear()
    await client.post(
        "/api/v1/cart/lines",
        json={"variant_id": variant_id, "quantity": 4, "source": {"type": "note", "id": note["id"]}},
    )
    login = await client.post("/api/v1/auth/login", json={"email": "buyer@example.com", "password": PASSWORD})
    assert login.status_code == 200
    cart = (await client.get("/api/v1/cart")).json()
    # 2 already in the account + 4 from the guest cart, clamped to the 5 in stock.
    assert [(line["quantity"], line["source"]["type"]) for line in cart["lines"]] == [
        (2, "direct"),
        (3, "note"),
    ]
    assert await db.scalar(select(func.count(Cart.id))) == 1


async def test_cart_page_quantity_form(client: Client, other_client: Client) -> None:
    product, _ = await _catalog(other_client, stock=5)
    added = await client.post("/api/v1/cart/lines", json={"variant_id": product["variants"][0]["id"]})
    line_id = added.json()["lines"][0]["id"]
    response = await client.form(f"/cart/lines/{line_id}", {"quantity": "4", "action": "update"})
    assert response.status_code in (302, 303)
    assert (await client.get("/api/v1/cart")).json()["lines"][0]["quantity"] == 4
    too_many = await client.form(f"/cart/lines/{line_id}", {"quantity": "6", "action": "update"})
    assert "error=" in too_many.headers["location"]
    page = await client.get(too_many.headers["location"])
    assert "Only 5 left" in page.text
    await client.form(f"/cart/lines/{line_id}", {"action": "remove"})
    assert (await client.get("/api/v1/cart")).json()["lines"] == []


async def test_product_page_add_to_cart_form_keeps_note_source(client: Client, other_client: Client) -> None:
    product, note = await _catalog(other_client)
    page = await client.get(f"/products/{product['id']}?note={note['id']}")
    assert f'name="note_id" value="{note["id"]}"' in page.text
    response = await client.form(
        "/cart/lines",
        {
            "product_id": product["id"],
            "variant_id": product["variants"][0]["id"],
            "quantity": "1",
            "note_id": note["id"],
        },
    )
    assert response.headers["location"] == "/cart"
    assert (await client.get("/api/v1/cart")).json()["lines"][0]["source"]["id"] == note["id"]
