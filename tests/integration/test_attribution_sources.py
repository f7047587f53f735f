"""A cart line's source credits its creator (issue 13), so it may name only a note or stream that
really shows the product: a published note tagging it, a stream shelving it. The API refuses any
other with 422; the product page's form, whose ?note= and ?stream= links go stale, adds the line
uncredited. At payment a note is read again (untagged since: no credit); a shelf is not (a host
rotates it through a live)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.cart.models import CartLine
from shop.orders.models import OrderLine
from tests.helpers import Client, add_address, make_note, make_product, upload


async def _add(shopper: Client, product: dict[str, Any], source: dict[str, Any] | None) -> Any:
    line: dict[str, Any] = {"variant_id": product["variants"][0]["id"], "quantity": 1}
    if source is not None:
        line["source"] = source
    return await shopper.post("/api/v1/cart/lines", json=line)


async def _open_products(merchant: Client, *names: str) -> list[dict[str, Any]]:
    """Products open for collaboration at 10%: any creator may tag and shelve them."""
    return [await make_product(merchant, f"{n} Serum", open_bps=1000, sku=f"{n.upper()}-1") for n in names]


async def _draft(creator: Client, product_id: int) -> int:
    image = await upload(creator)
    tags = [{"product_id": product_id, "x": 0.5, "y": 0.5}]
    body = {"title": "Soon", "status": "draft", "images": [{"upload_id": image["upload_id"], "tags": tags}]}
    made = await creator.post("/api/v1/notes", json=body)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def _creator_stream(creator: Client, product_ids: list[int]) -> int:
    stream_id = int((await creator.post("/api/v1/streams", json={"title": "Shelf"})).json()["id"])
    shelved = await creator.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": product_ids})
    assert shelved.status_code == 200, shelved.text
    return stream_id


async def _pay(shopper: Client) -> int:
    await add_address(shopper)
    checkout = await shopper.post("/api/v1/checkout", json={})
    assert checkout.status_code in (200, 201), checkout.text
    order_id = int(checkout.json()["order_id"])
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return order_id


async def _credits(db: AsyncSession, order_id: int) -> dict[int, int | None]:
    """{product id: the credited creator} for the order's lines, as fixed at payment."""
    rows = await db.execute(
        select(OrderLine.product_id, OrderLine.creator_id).where(OrderLine.order_id == order_id)
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def test_a_source_must_show_the_product(
    merchant: Client, creator: Client, shopper: Client, db: AsyncSession
) -> None:
    shown, other = await _open_products(merchant, "Shown", "Other")
    note = await make_note(creator, [shown["id"]])
    draft = await _draft(creator, shown["id"])
    stream_id = await _creator_stream(creator, [shown["id"]])

    refused = [
        (other, {"type": "note", "id": note["id"]}),  # a real note, another product
        (other, {"type": "stream", "id": stream_id}),  # a real stream, not on its shelf
        (shown, {"type": "note", "id": draft}),  # tags it, but nobody can see a draft
        (shown, {"type": "note", "id": 424242}),
        (shown, {"type": "stream", "id": 424242}),
    ]
    for product, source in refused:
        response = await _add(shopper, product, source)
        assert response.status_code == 422, (source, response.text)
        assert set(response.json()["fields"]) == {"source"}, response.text
    assert await db.scalar(select(func.count(CartLine.id))) == 0

    for source in ({"type": "note", "id": note["id"]}, {"type": "stream", "id": stream_id}, None):
        added = await _add(shopper, shown, source)
        assert added.status_code == 201, added.text
    sources = [line["source"] for line in (await shopper.get("/api/v1/cart")).json()["lines"]]
    assert sorted(s["type"] for s in sources) == ["direct", "note", "stream"]


async def test_the_product_pages_form_drops_a_stale_source(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    """A ?note= link to a product the note no longer tags still sells, crediting nobody."""
    tagged, untagged = await _open_products(merchant, "Tagged", "Untagged")
    note = await make_note(creator, [tagged["id"]])
    for product in (tagged, untagged):
        page = await shopper.get(f"/products/{product['id']}?note={note['id']}")
        assert f'name="note_id" value="{note["id"]}"' in page.text
        form = {"product_id": product["id"], "variant_id": product["variants"][0]["id"], "quantity": 1}
        posted = await shopper.form("/cart/lines", {**form, "note_id": note["id"]})
        assert posted.status_code in (302, 303), posted.text
        assert posted.headers["location"] == "/cart"
    lines = (await shopper.get("/api/v1/cart")).json()["lines"]
    assert {line["product_id"]: line["source"] for line in lines} == {
        tagged["id"]: {"type": "note", "id": note["id"]},
        untagged["id"]: {"type": "direct", "id": None},
    }


async def test_payment_credits_a_note_only_for_what_it_still_tags(
    merchant: Client, creator: Client, shopper: Client, db: AsyncSession
) -> None:
    kept, dropped = await _open_products(merchant, "Kept", "Dropped")
    note = await make_note(creator, [kept["id"], dropped["id"]])
    for product in (kept, dropped):
        added = await _add(shopper, product, {"type": "note", "id": note["id"]})
        assert added.status_code == 201, added.text
    image = note["images"][0]
    edit = {"images": [{"image_id": image["id"], "tags": [{"product_id": kept["id"], "x": 0.2, "y": 0.2}]}]}
    edited = await creator.patch(f"/api/v1/notes/{note['id']}", json=edit)
    assert edited.status_code == 200, edited.text

    order_id = await _pay(shopper)
    assert await _credits(db, order_id) == {kept["id"]: creator.id, dropped["id"]: None}


async def test_payment_keeps_a_streams_credit_after_the_shelf_moves_on(
    merchant: Client, creator: Client, shopper: Client, db: AsyncSession
) -> None:
    first, next_up = await _open_products(merchant, "First", "Next")
    stream_id = await _creator_stream(creator, [first["id"]])
    added = await _add(shopper, first, {"type": "stream", "id": stream_id})
    assert added.status_code == 201, added.text
    shelf = {"product_ids": [next_up["id"]]}
    rotated = await creator.put(f"/api/v1/streams/{stream_id}/products", json=shelf)
    assert rotated.status_code == 200, rotated.text

    order_id = await _pay(shopper)
    assert await _credits(db, order_id) == {first["id"]: creator.id}
