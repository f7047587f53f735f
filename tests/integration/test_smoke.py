from tests.helpers import Client, make_note, make_product, register


async def test_health_and_pages_render(client: Client) -> None:
    assert (await client.get("/api/v1/health")).json() == {"status": "ok"}
    page = await client.get("/")
    assert page.status_code == 200
    assert "zhongcao" in page.text


async def test_shopper_path_note_to_cart(client: Client, other_client: Client) -> None:
    await register(other_client, "shop@example.com", role="merchant", shop_name="Glow Lab")
    product = await make_product(other_client, "Dew Serum", stock=3)
    note = await make_note(other_client, [product["id"]])

    feed = (await client.get("/api/v1/notes")).json()
    assert [item["id"] for item in feed["items"]] == [note["id"]]
    detail = (await client.get(f"/api/v1/notes/{note['id']}")).json()
    tag = detail["images"][0]["tags"][0]
    assert tag["product_id"] == product["id"]

    variant_id = product["variants"][0]["id"]
    added = await client.post(
        "/api/v1/cart/lines",
        json={
            "variant_id": variant_id,
            "quantity": 2,
            "source": {"type": "note", "id": note["id"]},
        },
    )
    assert added.status_code == 201, added.text
    cart = (await client.get("/api/v1/cart")).json()
    assert cart["lines"][0]["source"] == {"type": "note", "id": note["id"]}
    assert cart["subtotal"] == {"amount": 2 * 2599, "currency": "USD"}
    page = await client.get("/cart")
    assert f"note #{note['id']}" in page.text
