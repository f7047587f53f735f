"""Creator discovery (`GET /api/v1/creators`, `/partners/creators`): merchants only, filters by topic,
followers and engagement, drafts never shown, bounded parameters, and a page that escapes names."""

from __future__ import annotations

import html
import uuid
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from shop.core.pagination import encode_cursor
from tests.helpers import Client, png_bytes, register, upload


async def _post(
    client: Client, title: str, topics: list[str], *, status: str = "published"
) -> dict[str, Any]:
    image = await upload(client, png_bytes(60, 80))
    body = {
        "title": title,
        "body": "Notes from the week.",
        "topics": topics,
        "images": [{"upload_id": image["upload_id"], "tags": []}],
        "status": status,
    }
    response = await client.post("/api/v1/notes", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _creators(merchant: Client, query: str = "") -> list[dict[str, Any]]:
    response = await merchant.get(f"/api/v1/creators{query}")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _ids(merchant: Client, query: str = "") -> list[int]:
    return [c["id"] for c in await _creators(merchant, query)]


async def _as_creator(client: Client, name: str) -> Client:
    email = f"creator-{uuid.uuid4().hex[:8]}@example.com"
    client.me = await register(client, email, role="creator", display_name=name)
    return client


@pytest.fixture
async def tea_and_desk(
    creator: Client, client: Client, merchant: Client, shopper: Client
) -> tuple[Client, Client]:
    """Two creators: Tea (2 followers, 3 interactions on 1 note) and Desk (no followers, 0 interactions)."""
    tea = creator
    desk = await _as_creator(client, "Desk")
    tea_note = await _post(tea, "Oolong morning", ["tea", "slow"])
    await _post(desk, "Tiny desk setup", ["desk"])
    for fan in (shopper, merchant):
        assert (await fan.post(f"/api/v1/users/{tea.id}/follow")).status_code == 200
    assert (await shopper.post(f"/api/v1/notes/{tea_note['id']}/like")).status_code == 200
    assert (await shopper.post(f"/api/v1/notes/{tea_note['id']}/save")).status_code == 200
    comment = await shopper.post(f"/api/v1/notes/{tea_note['id']}/comments", json={"body": "Lovely"})
    assert comment.status_code == 201, comment.text
    return tea, desk


async def test_only_merchants_discover_creators(
    merchant: Client, shopper: Client, creator: Client, anonymous: Client
) -> None:
    await _post(creator, "Matcha notes", ["tea"])
    assert [c["id"] for c in await _creators(merchant)] == [creator.id]
    for refused in (shopper, creator):
        assert (await refused.get("/api/v1/creators")).status_code == 403
        page = await refused.get("/partners/creators")
        assert page.status_code == 403
        assert "Matcha notes" not in page.text
    assert (await anonymous.get("/api/v1/creators")).status_code == 401
    signed_out = await anonymous.get("/partners/creators")
    assert signed_out.status_code in (302, 303)
    assert signed_out.headers["location"] == "/login?next=/partners/creators"


async def test_the_card_carries_stats_topics_and_recent_notes(
    tea_and_desk: tuple[Client, Client], merchant: Client
) -> None:
    tea, desk = tea_and_desk
    cards = {c["id"]: c for c in await _creators(merchant)}
    assert set(cards) == {tea.id, desk.id}
    card = cards[tea.id]
    assert card["display_name"] == tea.me["display_name"]
    assert card["follower_count"] == 2
    assert card["engagement_rate"] == 3.0  # a like, a save and a comment on one note
    assert card["notes_count"] == 1
    assert card["topics"] == ["slow", "tea"]  # equally used: by name
    assert [n["title"] for n in card["recent_notes"]] == ["Oolong morning"]
    assert card["recent_notes"][0]["likes"] == 1
    assert card["recent_notes"][0]["cover_url"].startswith("/media/")
    assert cards[desk.id]["engagement_rate"] == 0.0


async def test_filters_by_topic_followers_engagement_and_name_each_narrow_the_list(
    tea_and_desk: tuple[Client, Client], merchant: Client
) -> None:
    tea, desk = tea_and_desk
    assert sorted(await _ids(merchant)) == sorted([tea.id, desk.id])
    assert await _ids(merchant, "?topic=tea") == [tea.id]
    assert await _ids(merchant, "?topic=%23Tea") == [tea.id]  # "#Tea" is the topic "tea"
    assert await _ids(merchant, "?topic=desk") == [desk.id]
    assert await _ids(merchant, "?topic=gardening") == []
    assert await _ids(merchant, "?min_followers=1") == [tea.id]
    assert await _ids(merchant, "?max_followers=1") == [desk.id]
    assert await _ids(merchant, "?min_followers=2&max_followers=2") == [tea.id]
    assert await _ids(merchant, "?min_followers=3") == []
    assert await _ids(merchant, "?min_engagement=1") == [tea.id]
    assert await _ids(merchant, "?min_engagement=3") == [tea.id]
    assert await _ids(merchant, "?min_engagement=3.5") == []
    assert await _ids(merchant, "?q=desk") == [desk.id]
    assert await _ids(merchant, "?topic=tea&max_followers=1") == []


async def test_sorts_and_pages_without_repeats(
    tea_and_desk: tuple[Client, Client], merchant: Client, other_client: Client
) -> None:
    tea, desk = tea_and_desk
    late = await _as_creator(other_client, "Latecomer")
    await _post(late, "Just posted", ["tea"])
    assert (await _ids(merchant, "?sort=followers"))[0] == tea.id
    assert (await _ids(merchant, "?sort=engagement"))[0] == tea.id
    assert (await _ids(merchant, "?sort=recent"))[0] == late.id
    for sort in ("followers", "engagement", "recent"):
        everyone = await _ids(merchant, f"?sort={sort}")
        seen: list[int] = []
        cursor = ""
        while True:
            response = await merchant.get(f"/api/v1/creators?sort={sort}&limit=1{cursor}")
            assert response.status_code == 200, response.text
            page = response.json()
            seen += [c["id"] for c in page["items"]]
            if page["next_cursor"] is None:
                break
            cursor = f"&cursor={page['next_cursor']}"
        assert seen == everyone
        assert sorted(seen) == sorted([tea.id, desk.id, late.id])
    cursor = (await merchant.get("/api/v1/creators?sort=recent&limit=1")).json()["next_cursor"]
    # A cursor belongs to its order: continuing another order with it is refused.
    mixed = await merchant.get(f"/api/v1/creators?sort=followers&cursor={cursor}")
    assert mixed.status_code == 422
    assert "cursor" in mixed.json()["fields"]


async def test_drafts_are_never_shown_or_counted(creator: Client, client: Client, merchant: Client) -> None:
    titles = [f"Published {i}" for i in range(4)]
    for title in titles:
        await _post(creator, title, ["tea"])
    await _post(creator, "Secret draft", ["hiddentopic", "tea"], status="draft")
    only_drafts = await _as_creator(client, "Drafter")
    await _post(only_drafts, "Draft only", ["desk"], status="draft")

    cards = await _creators(merchant)
    assert [c["id"] for c in cards] == [creator.id]  # a creator with nothing published is not listed
    card = cards[0]
    assert [n["title"] for n in card["recent_notes"]] == titles[:0:-1]  # the latest three, newest first
    assert card["notes_count"] == 4
    assert card["topics"] == ["tea"]
    assert await _ids(merchant, "?topic=hiddentopic") == []
    assert await _ids(merchant, "?topic=desk") == []
    page = await merchant.get("/partners/creators")
    assert "Secret draft" not in page.text
    assert "hiddentopic" not in page.text
    assert "Draft only" not in page.text


async def test_engagement_counts_only_the_last_90_days(
    creator: Client, merchant: Client, shopper: Client, clock: ModuleType
) -> None:
    old = await _post(creator, "Last season", ["tea"])
    assert (await shopper.post(f"/api/v1/notes/{old['id']}/like")).status_code == 200
    clock.advance(timedelta(days=91))
    assert (await _creators(merchant))[0]["engagement_rate"] == 0.0  # nothing recent
    await _post(creator, "This week", ["tea"])
    card = (await _creators(merchant))[0]
    assert card["engagement_rate"] == 0.0  # the old like is outside the window
    assert card["notes_count"] == 2
    fresh = card["recent_notes"][0]
    assert fresh["title"] == "This week"
    assert (await shopper.post(f"/api/v1/notes/{fresh['id']}/like")).status_code == 200
    assert (await shopper.post(f"/api/v1/notes/{fresh['id']}/save")).status_code == 200
    assert (await _creators(merchant))[0]["engagement_rate"] == 2.0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_followers=-1", "min_followers"),
        ("max_followers=10000000000", "max_followers"),
        ("min_followers=10&max_followers=5", "max_followers"),
        ("min_engagement=-0.5", "min_engagement"),
        ("min_engagement=1e9", "min_engagement"),
        ("min_engagement=lots", "min_engagement"),
        ("min_engagement=nan", "min_engagement"),
        ("sort=popular", "sort"),
        ("topic=not%20a%20topic!", "topic"),
        ("topic=" + "t" * 60, "topic"),
        ("q=" + "x" * 201, "q"),
        ("cursor=%%%", "cursor"),
        ("cursor=" + "e30", "cursor"),  # base64 of "{}": not one of ours
        (
            "sort=recent&cursor=" + encode_cursor({"s": "recent", "k": "2026-01-01T00:00:00", "id": 1}),
            "cursor",
        ),
        ("sort=recent&cursor=" + encode_cursor({"s": "recent", "k": "yesterday", "id": 1}), "cursor"),
        ("cursor=" + encode_cursor({"s": "followers", "k": "many", "id": 1}), "cursor"),
        ("cursor=" + encode_cursor({"s": "followers", "k": 3, "id": True}), "cursor"),
        ("limit=0", "limit"),
        ("limit=51", "limit"),
    ],
)
async def test_bad_parameters_are_422(merchant: Client, creator: Client, query: str, field: str) -> None:
    await _post(creator, "Matcha notes", ["tea"])
    response = await merchant.get(f"/api/v1/creators?{query}")
    assert response.status_code == 422, response.text
    assert field in str(response.json().get("fields", {})), response.text


async def test_page_lists_cards_with_send_offer_and_profile_links(
    tea_and_desk: tuple[Client, Client], merchant: Client
) -> None:
    tea, desk = tea_and_desk
    page = await merchant.get("/partners/creators")
    assert page.status_code == 200
    text = page.text
    for person in (tea, desk):
        assert f'href="/offers/new?creator_id={person.id}"' in text
        assert f'href="/users/{person.id}"' in text
    assert "2 followers" in text
    assert "likes, saves and comments per note" in text
    assert 'data-topic="tea"' in text  # a chip among the popular topics
    note_ids = [n["id"] for c in await _creators(merchant) for n in c["recent_notes"]]
    for note_id in note_ids:
        assert f'href="/notes/{note_id}"' in text

    filtered = await merchant.get(
        "/partners/creators?topic=tea&followers=lt1k&min_engagement=1&sort=engagement"
    )
    assert filtered.status_code == 200
    assert f"creator_id={tea.id}" in filtered.text
    assert f"creator_id={desk.id}" not in filtered.text
    none = await merchant.get("/partners/creators?followers=100k%2B")
    assert "No creators match" in none.text
    assert (await merchant.get("/partners/creators?followers=lots")).status_code == 422
    for bad in ("-1", "nan", "lots"):
        assert (await merchant.get(f"/partners/creators?min_engagement={bad}")).status_code == 422
    empty_select = await merchant.get("/partners/creators?q=&followers=any&min_engagement=&sort=followers")
    assert empty_select.status_code == 200  # what the form sends with nothing chosen


async def test_merchants_find_the_page_in_their_menus(merchant: Client, shopper: Client) -> None:
    for path in ("/me", "/"):
        assert 'href="/partners/creators"' in (await merchant.get(path)).text
        assert 'href="/partners/creators"' not in (await shopper.get(path)).text


async def test_a_display_name_and_a_title_are_escaped_on_the_page(client: Client, merchant: Client) -> None:
    evil = "<script>alert(1)</script>"
    person = await _as_creator(client, evil)
    await _post(person, 'Title "><img src=x onerror=alert(2)>', ["tea"])
    page = await merchant.get("/partners/creators")
    assert page.status_code == 200
    assert evil not in page.text
    assert "<img src=x" not in page.text
    assert html.escape(evil, quote=False) in page.text


async def test_a_page_costs_the_same_queries_for_one_creator_or_many(
    creator: Client, client: Client, other_client: Client, merchant: Client
) -> None:
    """Stats, topics and recent notes are batched per page: no query per creator (no N+1)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    async def cost() -> int:
        statements.clear()
        event.listen(Engine, "before_cursor_execute", record)
        try:
            assert (await merchant.get("/api/v1/creators")).status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", record)
        return len(statements)

    await _post(creator, "One", ["tea"])
    alone = await cost()
    assert alone >= 3  # the listener sees the app's statements: stats, topics, recent notes at least
    for person in (await _as_creator(client, "Second"), await _as_creator(other_client, "Third"), creator):
        for i in range(3):
            await _post(person, f"More {i}", ["tea", f"t{i}"])
    assert len(await _creators(merchant)) == 3
    assert await cost() == alone
