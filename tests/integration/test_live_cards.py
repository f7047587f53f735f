"""The room's cards and current sale read as plain rows (`live.cards`) say exactly what the entity
reads say (`services.product_card`, `sale_view`), each in one statement: the pin's answer, the
joiners' snapshot and the room page all show them."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from live import cards, services
from live.flash_sales.models import FlashSale
from live.flash_sales.services import sale_view
from live.models import Stream
from tests.helpers import Client, make_product, upload
from tests.live_helpers import bearer, buyers, launch_sale, live_room, queries_of, reserve_url


async def _entity_cards(db: AsyncSession, stream_id: int) -> list[dict[str, object]]:
    stream = await db.get(Stream, stream_id)
    assert stream is not None
    return [services.product_card(p) for p in await services.shelf(db, stream)]


async def test_shelf_cards_read_as_rows_match_the_entity_cards(merchant: Client, app: Litestar) -> None:
    images = [(await upload(merchant))["upload_id"] for _ in range(3)]
    sizes = [("50 ml", 4200, 3), ("15 ml", 1900, 0), ("30 ml", 1900, 7)]  # two cheapest: the first
    body = {
        "name": "Layered Toner",
        "image_upload_ids": images,
        "variants": [
            {
                "sku": f"LT-{i}",
                "name": name,
                "price": {"amount": price, "currency": "USD"},
                "stock_on_hand": n,
            }
            for i, (name, price, n) in enumerate(sizes)
        ],
    }
    layered = await merchant.post("/api/v1/products", json=body)
    assert layered.status_code == 201, layered.text
    plain = await make_product(merchant, "Plain Balm", stock=4, price=999)
    bare_body = {
        **body,
        "name": "No Photo Mist",
        "image_upload_ids": [],
        "variants": [{**body["variants"][0], "sku": "NPM-1"}],
    }
    bare = await merchant.post("/api/v1/products", json=bare_body)
    assert bare.status_code == 201, bare.text
    shelf = [plain["id"], layered.json()["id"], bare.json()["id"]]
    stream_id = (await merchant.post("/api/v1/streams", json={"title": "Cards"})).json()["id"]
    assert (
        await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": shelf})
    ).is_success

    async with app.state["sessions"]() as db:
        with queries_of(app, "") as seen:
            read = await cards.shelf_cards(db, stream_id)
        assert len(seen) == 1
        assert read == await _entity_cards(db, stream_id)
    assert [card["id"] for card in read] == shelf
    assert (read[1]["price"], read[1]["available"]) == ({"amount": 1900, "currency": "USD"}, 10)
    assert [v["name"] for v in read[1]["variants"]] == ["50 ml", "15 ml", "30 ml"]
    assert read[1]["image_url"] is not None
    assert read[2]["image_url"] is None


async def test_the_current_sale_read_as_rows_matches_the_ledgers_view(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=50)
    sale = await launch_sale(client, room, quantity=6, limit=3)
    [token] = await buyers(db, 1)
    async with bearer(app, token) as buyer:
        held = await buyer.post(reserve_url(sale), json={"quantity": 2})
    assert held.status_code == 201, held.text
    stream_id = room["stream_id"]

    async with app.state["sessions"]() as session:
        shelf = await cards.shelf_cards(session, stream_id)
        with queries_of(app, "") as seen:
            view = await cards.current_sale(session, stream_id, shelf)
        assert len(seen) == 1
        entity = await session.get(FlashSale, sale["id"])
        assert entity is not None
        assert view == await sale_view(session, None, entity)
    assert view is not None
    assert (view["remaining"], view["status"], view["product"]["id"]) == (4, "live", room["product"]["id"])

    # The product leaves the shelf during its sale: the sale still shows, with its product's card.
    emptied = await other_client.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": []})
    assert emptied.is_success, emptied.text
    async with app.state["sessions"]() as session:
        assert await cards.shelf_cards(session, stream_id) == []
        alone = await cards.current_sale(session, stream_id)
        entity = await session.get(FlashSale, sale["id"])
        assert entity is not None
        assert alone == await sale_view(session, None, entity)
    assert (await client.get(f"/api/v1/streams/{stream_id}")).json()["flash_sale"] == alone
