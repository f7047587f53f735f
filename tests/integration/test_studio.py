"""The creator studio: drafts stay private, editing, publishing and deleting notes, the studio pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shop.notes.models import ProductTag
from tests.helpers import Client, make_note, make_product, png_bytes, upload


async def _draft(client: Client, product_ids: list[int], title: str = "Secret glow draft") -> dict[str, Any]:
    image = await upload(client, png_bytes(60, 80))
    tags = [{"product_id": pid, "x": 0.25, "y": 0.75} for pid in product_ids]
    body = {
        "title": title,
        "body": "Not ready yet #draftonly",
        "topics": ["hiddentopic"],
        "images": [{"upload_id": image["upload_id"], "tags": tags}],
        "status": "draft",
    }
    response = await client.post("/api/v1/notes", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "draft"
    assert response.json()["published_at"] is None
    return dict(response.json())


async def _note_count(client: Client, product_id: int) -> int:
    return int((await client.get(f"/api/v1/products/{product_id}")).json()["note_count"])


async def _feed_ids(client: Client, query: str = "") -> list[int]:
    response = await client.get(f"/api/v1/notes{query}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_draft_is_invisible_to_everyone_but_its_author(
    creator: Client, merchant: Client, shopper: Client, anonymous: Client
) -> None:
    product = await make_product(merchant, "Velvet Lip Oil", open_bps=1000)
    shop_id = merchant.me["merchant"]["id"]
    draft = await _draft(creator, [product["id"]])
    note_id = draft["id"]

    assert await _note_count(shopper, product["id"]) == 0  # a draft moves no counter
    for viewer in (shopper, anonymous, merchant):
        assert note_id not in await _feed_ids(viewer)
        assert note_id not in await _feed_ids(viewer, "?q=secret glow")
        assert note_id not in await _feed_ids(viewer, "?q=velvet lip")
        assert note_id not in await _feed_ids(viewer, "?topic=hiddentopic")
        assert note_id not in await _feed_ids(viewer, f"?author_id={creator.id}")
        assert (await viewer.get(f"/api/v1/notes/{note_id}")).status_code == 404
        assert (await viewer.get(f"/notes/{note_id}")).status_code == 404
        assert "Secret glow draft" not in (await viewer.get(f"/users/{creator.id}")).text
        assert "Secret glow draft" not in (await viewer.get("/search?q=secret glow")).text
        assert "Secret glow draft" not in (await viewer.get(f"/shops/{shop_id}?tab=notes")).text
        assert "Secret glow draft" not in (await viewer.get(f"/products/{product['id']}")).text
    # Nobody reacts to, comments on, or buys from a draft.
    assert (await shopper.post(f"/api/v1/notes/{note_id}/like")).status_code == 404
    assert (await shopper.post(f"/api/v1/notes/{note_id}/comments", json={"body": "hi"})).status_code == 404
    assert (await shopper.get(f"/api/v1/notes/{note_id}/comments")).status_code == 404
    variant_id = product["variants"][0]["id"]
    line = {"variant_id": variant_id, "quantity": 1, "source": {"type": "note", "id": note_id}}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 422

    # The author sees it: the detail, the note page (marked a draft) and the studio.
    mine = await creator.get(f"/api/v1/notes/{note_id}")
    assert mine.status_code == 200
    assert mine.json()["status"] == "draft"
    own_page = await creator.get(f"/notes/{note_id}")
    assert own_page.status_code == 200
    assert "data-draft-banner" in own_page.text
    assert "data-comment-form" not in own_page.text  # nobody comments on a draft
    studio = await creator.get("/studio")
    assert studio.status_code == 200
    assert "Secret glow draft" in studio.text
    assert "Draft" in studio.text
    listed = (await creator.get("/api/v1/studio/notes")).json()["items"]
    assert [(n["id"], n["status"]) for n in listed] == [(note_id, "draft")]


async def test_publishing_a_draft_shows_it_and_counts_its_products(
    creator: Client, merchant: Client, shopper: Client
) -> None:
    product = await make_product(merchant, "Rice Toner", open_bps=1000)
    draft = await _draft(creator, [product["id"]], title="Toner week")
    published = await creator.patch(f"/api/v1/notes/{draft['id']}", json={"status": "published"})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert draft["id"] in await _feed_ids(shopper)
    assert draft["id"] in await _feed_ids(shopper, "?q=rice toner")
    assert (await shopper.get(f"/api/v1/notes/{draft['id']}")).status_code == 200
    assert await _note_count(shopper, product["id"]) == 1
    # Publishing twice counts once; a published note cannot go back to being a draft.
    again = await creator.patch(f"/api/v1/notes/{draft['id']}", json={"status": "published"})
    assert again.status_code == 200
    assert await _note_count(shopper, product["id"]) == 1
    back = await creator.patch(f"/api/v1/notes/{draft['id']}", json={"status": "draft"})
    assert back.status_code == 422
    assert "status" in back.json()["fields"]


async def test_posting_without_a_status_still_publishes(creator: Client, shopper: Client) -> None:
    note = await make_note(creator, [], title="Old client")
    assert note["status"] == "published"
    assert note["id"] in await _feed_ids(shopper)


async def test_edit_replaces_text_images_and_tags(
    creator: Client, merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    first = await make_product(merchant, "Jade Roller", open_bps=1000)
    second = await make_product(merchant, "Gua Sha Stone", open_bps=1000)
    note = await make_note(creator, [first["id"]], title="Tools I use", body="Morning #tools")
    kept = note["images"][0]["id"]
    added = await upload(creator, png_bytes(80, 60))
    body = {
        "title": "Tools I really use",
        "body": "Evening now #facecare",
        "topics": ["beauty"],
        "images": [
            {"upload_id": added["upload_id"], "tags": [{"product_id": second["id"], "x": 1, "y": 0}]},
            {"image_id": kept, "tags": []},
        ],
    }
    edited = await creator.patch(f"/api/v1/notes/{note['id']}", json=body)
    assert edited.status_code == 200, edited.text
    out = edited.json()
    assert out["title"] == "Tools I really use"
    assert out["topics"] == ["beauty", "facecare"]
    assert [image["id"] for image in out["images"]][1] == kept
    assert out["images"][0]["tags"] == [{"product_id": second["id"], "x": 1.0, "y": 0.0}]
    assert [p["id"] for p in out["products"]] == [second["id"]]
    # The counters follow the tags: the untagged product lost this note, the new one gained it.
    assert await _note_count(shopper, first["id"]) == 0
    assert await _note_count(shopper, second["id"]) == 1
    assert note["id"] in await _feed_ids(shopper, "?q=gua sha")
    assert note["id"] not in await _feed_ids(shopper, "?q=jade roller")
    tags = (await db.scalars(select(ProductTag))).all()
    assert [(t.product_id, t.x, t.y) for t in tags] == [(second["id"], 1.0, 0.0)]


async def test_edit_is_the_authors_alone_and_validated(
    creator: Client, merchant: Client, other_merchant: Client
) -> None:
    product = await make_product(merchant, "Hanbok Scarf", open_bps=1000)
    note = await make_note(creator, [product["id"]])
    path = f"/api/v1/notes/{note['id']}"
    assert (await other_merchant.patch(path, json={"title": "Mine now"})).status_code == 404
    assert (await other_merchant.delete(path)).status_code == 404
    assert (await creator.patch("/api/v1/notes/999999", json={"title": "x"})).status_code == 404
    image = {"image_id": note["images"][0]["id"]}

    outside = await creator.patch(
        path, json={"images": [{**image, "tags": [{"product_id": product["id"], "x": 1.5, "y": 0.5}]}]}
    )
    assert outside.status_code == 422
    assert any(key.startswith("images") for key in outside.json()["fields"])
    unknown = await creator.patch(
        path, json={"images": [{**image, "tags": [{"product_id": 987654, "x": 0.5, "y": 0.5}]}]}
    )
    assert unknown.status_code == 422
    assert "images" in unknown.json()["fields"]
    six = [{"product_id": product["id"], "x": 0.1 * i, "y": 0.5} for i in range(6)]
    assert (await creator.patch(path, json={"images": [{**image, "tags": six}]})).status_code == 422
    uploads = [await upload(creator) for _ in range(10)]
    ten = await creator.patch(path, json={"images": [{"upload_id": u["upload_id"]} for u in uploads]})
    assert ten.status_code == 422
    assert "images" in ten.json()["fields"]
    posted_ten = await creator.post(
        "/api/v1/notes", json={"title": "Ten", "images": [{"upload_id": u["upload_id"]} for u in uploads]}
    )
    assert posted_ten.status_code == 422
    empty_title = await creator.patch(path, json={"title": ""})
    assert empty_title.status_code == 422
    assert "title" in empty_title.json()["fields"]
    foreign_upload = await upload(merchant)
    stolen = await creator.patch(path, json={"images": [{"upload_id": foreign_upload["upload_id"]}]})
    assert stolen.status_code == 404
    # Nothing above changed the note.
    unchanged = (await creator.get(path)).json()
    assert unchanged["title"] == note["title"]
    assert unchanged["images"][0]["tags"] == note["images"][0]["tags"]


async def test_delete_removes_the_note_and_gives_the_counter_back(
    creator: Client, merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    product = await make_product(merchant, "Sheet Mask", open_bps=1000)
    note = await make_note(creator, [product["id"]])
    draft = await _draft(creator, [product["id"]])
    assert await _note_count(shopper, product["id"]) == 1
    assert (await shopper.delete(f"/api/v1/notes/{note['id']}")).status_code == 404
    assert (await creator.delete(f"/api/v1/notes/{note['id']}")).status_code == 204
    assert await _note_count(shopper, product["id"]) == 0
    assert (await creator.get(f"/api/v1/notes/{note['id']}")).status_code == 404
    # A draft never counted, so deleting it (from the studio's form) leaves the count alone.
    deleted = await creator.form(f"/studio/notes/{draft['id']}/delete", {})
    assert deleted.status_code in (302, 303)
    assert deleted.headers["location"].startswith("/studio")
    assert await _note_count(shopper, product["id"]) == 0
    remaining = (await db.execute(text("SELECT count(*) FROM product_tags"))).scalar_one()
    assert remaining == 0


async def test_studio_pages_are_for_creators_and_merchants(
    creator: Client, merchant: Client, shopper: Client, anonymous: Client
) -> None:
    for path in ("/studio", "/studio/new"):
        assert (await shopper.get(path)).status_code == 404
        signed_out = await anonymous.get(path, follow_redirects=False)
        assert signed_out.status_code in (302, 303)
        assert signed_out.headers["location"].startswith("/login")
        assert (await creator.get(path)).status_code == 200
        assert (await merchant.get(path)).status_code == 200
    assert (await shopper.get("/api/v1/studio/taggable-products")).status_code == 404
    note = await make_note(creator, [])
    assert (await merchant.get(f"/studio/notes/{note['id']}/edit")).status_code == 404
    editor = await creator.get(f"/studio/notes/{note['id']}/edit")
    assert editor.status_code == 200
    assert 'id="composer-state"' in editor.text


async def test_taggable_products_and_topic_suggestions(
    creator: Client, merchant: Client, other_merchant: Client
) -> None:
    own = await make_product(merchant, "House Blend Tea")
    other = await make_product(other_merchant, "Guest Blend Tea", open_bps=1000)
    hidden = await make_product(other_merchant, "Retired Blend Tea", open_bps=1000)
    patched = await other_merchant.patch(f"/api/v1/products/{hidden['id']}", json={"is_active": False})
    assert patched.status_code == 200, patched.text
    mine = await make_product(merchant, "Unlisted Blend Tea")
    await merchant.patch(f"/api/v1/products/{mine['id']}", json={"is_active": False})

    seen = (await merchant.get("/api/v1/studio/taggable-products?q=blend")).json()["items"]
    assert {p["id"] for p in seen} == {own["id"], other["id"], mine["id"]}
    by_creator = (await creator.get("/api/v1/studio/taggable-products?q=blend")).json()["items"]
    # A creator tags only what is open for collaboration (or in a deal): not the merchant's own tea.
    assert {p["id"] for p in by_creator} == {other["id"]}
    refused = await creator.post(
        "/api/v1/notes",
        json={
            "title": "Retired",
            "images": [
                {
                    "upload_id": (await upload(creator))["upload_id"],
                    "tags": [{"product_id": hidden["id"], "x": 0.5, "y": 0.5}],
                }
            ],
        },
    )
    assert refused.status_code == 422
    page = (await merchant.get("/api/v1/studio/taggable-products?limit=1")).json()
    assert len(page["items"]) == 1
    assert page["next_cursor"]

    await make_note(creator, [], body="One #matcha #morning")
    await make_note(creator, [], body="Two #matcha")
    await _draft(creator, [])  # its topics (hiddentopic, draftonly) are nobody's suggestion
    topics = (await creator.get("/api/v1/studio/topics")).json()["items"]
    assert topics[0] == {"topic": "matcha", "uses": 2}
    assert "hiddentopic" not in {t["topic"] for t in topics}
    typed = (await creator.get("/api/v1/studio/topics?q=%23mo")).json()["items"]
    assert [t["topic"] for t in typed] == ["morning"]
