"""Notes: uploads validated by Pillow, tags within 0..1, feed pagination and search, reactions."""

import io

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.notes.models import Note
from tests.helpers import Client, make_note, make_product, png_bytes, register, upload


async def test_upload_strips_exif_and_makes_thumbnail(creator: Client, media_dir: object) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    stored = await upload(creator, buffer.getvalue())
    assert (stored["width"], stored["height"]) == (1200, 900)
    original = await creator.get(stored["url"])
    assert original.status_code == 200
    served = Image.open(io.BytesIO(original.content))
    assert not served.getexif()
    assert b"SecretCam" not in original.content
    thumb = Image.open(media_dir / stored["url"].removeprefix("/media/").replace(".jpg", "_t.jpg"))  # type: ignore[operator]
    assert thumb.width == 480


async def test_not_an_image_is_rejected(creator: Client) -> None:
    files = {"file": ("evil.png", b"<script>alert(1)</script>", "image/png")}
    response = await creator.post("/api/v1/uploads", files=files)
    assert response.status_code == 422
    assert "file" in response.json()["fields"]


async def test_oversized_upload_is_413(creator: Client, settings: object) -> None:
    big = png_bytes(10, 10) + b"\0" * (settings.upload_max_bytes + 1)  # type: ignore[attr-defined]
    response = await creator.post("/api/v1/uploads", files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 413


async def test_uploads_need_sign_in(client: Client) -> None:
    response = await client.post("/api/v1/uploads", files={"file": ("a.png", png_bytes(), "image/png")})
    assert response.status_code == 401


async def test_note_with_tags_and_topics(creator: Client, merchant: Client) -> None:
    product = await make_product(merchant, "Cloud Cream", open_bps=1000)
    note = await make_note(
        creator, [product["id"]], title="Night routine", body="Soft skin #Skincare #nightcare"
    )
    assert note["topics"] == ["skincare", "nightcare"]
    assert note["products"][0]["name"] == "Cloud Cream"
    assert note["images"][0]["tags"] == [{"product_id": product["id"], "x": 0.3, "y": 0.5}]
    by_topic = (await creator.get("/api/v1/notes?topic=skincare")).json()["items"]
    assert [n["id"] for n in by_topic] == [note["id"]]
    by_product_name = (await creator.get("/api/v1/notes?q=cloud cream")).json()["items"]
    assert [n["id"] for n in by_product_name] == [note["id"]]
    assert (await creator.get("/api/v1/notes?q=nothing-like-this")).json()["items"] == []
    page = await creator.get(f"/products/{product['id']}")
    assert "Night routine" in page.text


async def test_tag_outside_unit_square_is_422_and_nothing_written(merchant: Client, db: AsyncSession) -> None:
    product = await make_product(merchant, "P")
    image = await upload(merchant)
    response = await merchant.post(
        "/api/v1/notes",
        json={
            "title": "T",
            "images": [
                {
                    "upload_id": image["upload_id"],
                    "tags": [{"product_id": product["id"], "x": 1.2, "y": -0.1}],
                }
            ],
        },
    )
    assert response.status_code == 422
    assert any("x" in key for key in response.json()["fields"])
    assert await db.scalar(select(func.count(Note.id))) == 0


async def test_someone_elses_upload_cannot_be_used(creator: Client, other_client: Client) -> None:
    await register(other_client, "a@example.com", role="creator")
    theirs = await upload(other_client)
    response = await creator.post(
        "/api/v1/notes", json={"title": "T", "images": [{"upload_id": theirs["upload_id"]}]}
    )
    assert response.status_code == 404


async def test_feed_cursor_pagination_has_no_gaps_or_repeats(creator: Client) -> None:
    ids = [(await make_note(creator, [], title=f"Note {i}"))["id"] for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        url = "/api/v1/notes?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await creator.get(url)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    assert (await creator.get("/api/v1/notes?cursor=%%%garbage")).status_code == 422
    assert (await creator.get("/api/v1/notes?limit=500")).status_code == 422


async def test_like_and_save_are_idempotent(creator: Client) -> None:
    note = await make_note(creator, [])
    for _ in range(2):
        liked = await creator.post(f"/api/v1/notes/{note['id']}/like")
        assert liked.json() == {"active": True, "count": 1}
    saved = await creator.post(f"/api/v1/notes/{note['id']}/save")
    assert saved.json()["count"] == 1
    unliked = await creator.delete(f"/api/v1/notes/{note['id']}/like")
    assert unliked.json() == {"active": False, "count": 0}
    again = await creator.delete(f"/api/v1/notes/{note['id']}/like")
    assert again.json()["count"] == 0


async def test_script_in_note_and_comment_is_shown_as_text(client: Client, shopper: Client) -> None:
    await register(client, "c@example.com", role="creator")
    note = await make_note(
        client, [], title="<script>alert('t')</script>", body="<img src=x onerror=alert(1)>"
    )
    comment = await shopper.post(
        f"/api/v1/notes/{note['id']}/comments", json={"body": "<script>alert('c')</script>"}
    )
    assert comment.status_code == 201
    page = (await shopper.get(f"/notes/{note['id']}")).text
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    feed = (await shopper.get("/")).text
    assert "<script>alert(" not in feed


async def test_comments_paginate_and_count(creator: Client) -> None:
    note = await make_note(creator, [])
    for i in range(3):
        assert (
            await creator.post(f"/api/v1/notes/{note['id']}/comments", json={"body": f"c{i}"})
        ).status_code == 201
    first = (await creator.get(f"/api/v1/notes/{note['id']}/comments?limit=2")).json()
    rest = (await creator.get(f"/api/v1/notes/{note['id']}/comments?cursor={first['next_cursor']}")).json()
    assert [c["body"] for c in first["items"] + rest["items"]] == ["c0", "c1", "c2"]
    assert (await creator.get(f"/api/v1/notes/{note['id']}")).json()["comment_count"] == 3
    empty = await creator.post(f"/api/v1/notes/{note['id']}/comments", json={"body": "   "})
    assert empty.status_code == 422


async def test_topic_profile_and_saved_pages(client: Client, other_client: Client) -> None:
    creator = await register(client, "c@example.com", role="creator", display_name="Mia")
    note = await make_note(client, [], title="Tea time", body="Oolong #teatime")
    topic_page = await other_client.get("/topics/teatime")
    assert topic_page.status_code == 200
    assert "Tea time" in topic_page.text
    assert "Tea time" not in (await other_client.get("/topics/hiking")).text
    await register(other_client, "fan@example.com")
    await other_client.post(f"/api/v1/notes/{note['id']}/save")
    profile = await other_client.get(f"/users/{creator['id']}")
    assert "Mia" in profile.text
    assert "Tea time" in profile.text
    me = (await other_client.get("/api/v1/me")).json()
    saved = await other_client.get(f"/users/{me['id']}?tab=saved")
    assert "Tea time" in saved.text


async def test_comment_form_rerenders_on_empty_body(creator: Client) -> None:
    note = await make_note(creator, [])
    response = await creator.form(f"/notes/{note['id']}/comments", {"body": "   "})
    assert response.status_code == 422
    assert "field-error" in response.text
    ok = await creator.form(f"/notes/{note['id']}/comments", {"body": "Lovely <b>pics</b>"})
    assert ok.status_code in (302, 303)
    page = await creator.get(f"/notes/{note['id']}")
    assert "Lovely &lt;b&gt;pics&lt;/b&gt;" in page.text
