"""The note page and the feed cost a fixed number of SQL statements (issue 14): the same for a note
with one image (one tag, one comment) as for one with nine images, five tagged products and twenty
comments, and the same for a feed of one note as for one of eleven (one bound to a deal). A statement
per image, tag, product or comment (N+1) would show here as a difference."""

from __future__ import annotations

from tests.helpers import Client, Cost, make_product, png_bytes, upload
from tests.integration.deal_helpers import active_deal, submitted_note

# Every signed-in page first reads the viewer with their shop (one statement), the cart count and
# the unread count (the layout's nav). The note page then: the note with its author, images and
# tags; its topics; the tagged products with their images; their variants; the viewer's like,
# save and follow; the comments; their replies; the viewer's comment likes (shop.notes.reading).
NAV = 3
NOTE_PAGE_MOST = NAV + 8
FEED_MOST = NAV + 2


async def _note(author: Client, product_ids: list[int], images: int, title: str) -> int:
    """`images` images; the products tagged one per image, from the first."""
    uploads = [await upload(author, png_bytes(60, 80)) for _ in range(images)]
    body = {
        "title": title,
        "body": "Morning routine. #skincare",
        "topics": ["skincare", "morning", "glow"][: 1 + len(product_ids) // 2],
        "images": [
            {
                "upload_id": u["upload_id"],
                "tags": [{"product_id": product_ids[i], "x": 0.4, "y": 0.5}] if i < len(product_ids) else [],
            }
            for i, u in enumerate(uploads)
        ],
    }
    response = await author.post("/api/v1/notes", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _discuss(note_id: int, people: list[Client], comments: int) -> None:
    """`comments` comments, every third a reply, each liked by the next person."""
    root = None
    for i in range(comments):
        who = people[i % len(people)]
        body = {"body": f"Comment {i}"} | ({"parent_id": root} if i % 3 == 2 and root else {})
        response = await who.post(f"/api/v1/notes/{note_id}/comments", json=body)
        assert response.status_code == 201, response.text
        root = root or int(response.json()["id"])
        liker = people[(i + 1) % len(people)]
        assert (await liker.post(f"/api/v1/comments/{response.json()['id']}/like")).status_code == 200


async def _engage(viewer: Client, note_id: int, author_id: int) -> None:
    """The viewer likes, saves and follows, so the page shows the viewer's state."""
    for path in (f"/api/v1/notes/{note_id}/like", f"/api/v1/notes/{note_id}/save"):
        assert (await viewer.post(path)).status_code == 200
    assert (await viewer.post(f"/api/v1/users/{author_id}/follow")).status_code in (200, 201)


async def test_the_note_page_costs_the_same_for_one_image_or_nine(
    merchant: Client, shopper: Client, creator: Client
) -> None:
    products = [(await make_product(merchant, f"Query Serum {i}", sku=f"QS-{i}"))["id"] for i in range(5)]
    small = await _note(merchant, products[:1], 1, "One image")
    large = await _note(merchant, products, 9, "Nine images")
    await _discuss(small, [shopper, creator], 1)
    await _discuss(large, [shopper, creator, merchant], 20)
    for note_id in (small, large):
        await _engage(shopper, note_id, merchant.id)
    bare = await _note(merchant, [], 1, "Nothing tagged, no comments")
    cost = Cost()
    for viewer in (shopper, creator):
        small_cost = await cost.of(viewer, f"/notes/{small}")
        large_cost = await cost.of(viewer, f"/notes/{large}")
        assert small_cost == large_cost <= NOTE_PAGE_MOST, (small_cost, large_cost)
        assert await cost.of(viewer, f"/notes/{bare}") <= large_cost  # nothing to read, nothing asked
        small_api = await cost.of(viewer, f"/api/v1/notes/{small}")
        assert small_api == await cost.of(viewer, f"/api/v1/notes/{large}")
    page = await shopper.get(f"/notes/{large}")
    assert "Comment 19" in page.text
    assert "Query Serum 4" in page.text


async def test_the_feed_costs_the_same_for_one_note_or_eleven(
    merchant: Client, shopper: Client, creator: Client
) -> None:
    products = [(await make_product(merchant, f"Feed Serum {i}", sku=f"FS-{i}"))["id"] for i in range(3)]
    await _note(creator, [], 1, "Alone")
    cost = Cost()
    one = {url: await cost.of(shopper, url) for url in ("/", "/api/v1/notes?limit=20")}
    for i in range(9):
        # The merchant tags its own products; the creator posts bare images.
        if i % 2:
            await _note(merchant, products[: i % 4], 1 + i % 3, f"Shop {i}")
        else:
            await _note(creator, [], 1 + i % 3, f"More {i}")
    # A note bound to a deal shows its brand: the deal, offer and shop come in the feed's own rows.
    bound = await submitted_note(creator, await active_deal(merchant, creator))
    cards = (await shopper.get("/api/v1/notes?limit=20")).json()["items"]
    assert next(c for c in cards if c["id"] == bound["id"])["disclosure"]["kind"] == "paid_partnership"
    for url, alone in one.items():
        many = await cost.of(shopper, url)
        assert alone == many <= FEED_MOST, (url, alone, many)
