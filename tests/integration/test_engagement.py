"""Engagement events (POST /api/v1/events), their caps, the daily rollup and the note funnel."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import ModuleType
from typing import Any

from httpx import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.analytics.bench import generate_events
from shop.analytics.jobs import roll_up
from shop.analytics.models import EngagementDaily, EngagementEvent
from tests.helpers import PASSWORD, Client, add_address, make_note, make_product, png_bytes, upload

MISSING = 9_999_999


async def post_events(client: Client, *events: dict[str, Any]) -> Response:
    return await client.post("/api/v1/events", json={"events": list(events)})


async def accepted(client: Client, *events: dict[str, Any]) -> tuple[int, int]:
    response = await post_events(client, *events)
    assert response.status_code == 202, response.text
    body = response.json()
    return body["accepted"], body["dropped"]


def view(note_id: int) -> dict[str, Any]:
    return {"type": "note_view", "note_id": note_id}


def tap(note_id: int, product_id: int) -> dict[str, Any]:
    return {"type": "tag_tap", "note_id": note_id, "product_id": product_id}


async def daily(db: AsyncSession, **where: Any) -> list[tuple[str, int, int, int]]:
    """(type, count, visitors, shop_visitors) of the rollup rows matching `where`, by type."""
    await db.rollback()  # a fresh snapshot: the rollup committed on other connections
    stmt = select(EngagementDaily).filter_by(**where).order_by(EngagementDaily.type, EngagementDaily.id)
    return [(r.type, r.count, r.visitors, r.shop_visitors) for r in (await db.scalars(stmt)).all()]


async def draft_note(client: Client, product_ids: list[int]) -> dict[str, Any]:
    image = await upload(client, png_bytes(60, 80))
    tags = [{"product_id": pid, "x": 0.5, "y": 0.5} for pid in product_ids]
    body = {
        "title": "Draft",
        "body": "",
        "topics": [],
        "images": [{"upload_id": image["upload_id"], "tags": tags}],
    }
    response = await client.post("/api/v1/notes", json={**body, "status": "draft"})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def shop_note(merchant: Client, name: str = "Glow Serum") -> tuple[dict[str, Any], dict[str, Any]]:
    product = await make_product(merchant, name, sku=name.upper().replace(" ", "-"))
    return product, await make_note(merchant, [product["id"]], title=f"{name} routine")


async def test_a_batch_keeps_what_fits_and_counts_the_rest_as_dropped(
    merchant: Client, anonymous: Client, db: AsyncSession
) -> None:
    product, note = await shop_note(merchant)
    other_product, other_note = await shop_note(merchant, "Night Balm")
    pid, nid = product["id"], note["id"]
    counts = await accepted(
        anonymous,
        view(nid),
        tap(nid, pid),
        {"type": "product_view", "product_id": pid, "note_id": nid},
        {"type": "add_to_cart", "product_id": pid, "note_id": nid},
        view(MISSING),  # no such note
        {"type": "tag_tap", "note_id": nid},  # a tap needs its product
        tap(nid, other_product["id"]),  # not tagged on that note
        {"type": "product_view", "product_id": pid, "note_id": other_note["id"]},  # ditto
        {"type": "note_view", "note_id": nid, "product_id": pid},  # a view names no product
        {"type": "product_view", "product_id": MISSING},
        {"type": "room_join", "stream_id": MISSING},
    )
    assert counts == (4, 7)
    rows = (await db.scalars(select(EngagementEvent).order_by(EngagementEvent.id))).all()
    assert [r.type for r in rows] == ["note_view", "tag_tap", "product_view", "add_to_cart"]
    assert {r.merchant_id for r in rows} == {merchant.me["merchant"]["id"]}
    assert len({r.visitor for r in rows}) == 1
    assert len(rows[0].visitor) == 32


async def test_bad_batches_are_422_and_write_nothing(
    merchant: Client, anonymous: Client, db: AsyncSession
) -> None:
    _, note = await shop_note(merchant)
    unknown = await post_events(anonymous, {"type": "note_like", "note_id": note["id"]})
    assert unknown.status_code == 422, unknown.text
    assert list(unknown.json()["fields"]) == ["events.0.type"], unknown.json()
    huge = await post_events(anonymous, *[view(note["id"])] * 51)
    assert huge.status_code == 422
    assert list(huge.json()["fields"]) == ["events"], huge.json()
    too_big = await post_events(anonymous, view(2**60))
    assert too_big.status_code == 422
    assert list(too_big.json()["fields"]) == ["events.0.note_id"]
    assert (await post_events(anonymous, view(0))).status_code == 422
    assert (await post_events(anonymous, {**view(note["id"]), "visitor": "x"})).status_code == 422
    assert (await post_events(anonymous)).status_code == 422
    assert (await db.scalars(select(EngagementEvent))).all() == []


async def test_visitors_are_browsers_or_accounts_never_raw_ids(
    merchant: Client,
    anonymous: Client,
    third_client: Client,
    shopper: Client,
    client: Client,
    db: AsyncSession,
) -> None:
    _, note = await shop_note(merchant)
    assert await accepted(anonymous, view(note["id"])) == (1, 0)
    assert await accepted(anonymous, view(note["id"])) == (0, 1)  # the same browser: capped
    assert await accepted(third_client, view(note["id"])) == (1, 0)  # another browser
    assert await accepted(shopper, view(note["id"])) == (1, 0)
    # The shopper again from a second browser: the same account is the same visitor.
    signed = await client.post(
        "/api/v1/auth/login", json={"email": shopper.me["email"], "password": PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    assert await accepted(client, view(note["id"])) == (0, 1)
    hashes = set((await db.scalars(select(EngagementEvent.visitor))).all())
    assert len(hashes) == 3
    assert str(shopper.id) not in hashes
    assert anonymous.cookies.get("zc_visitor") not in hashes
    await roll_up(db)
    assert await daily(db, note_id=note["id"]) == [("note_view", 3, 3, 3)]


async def test_a_bot_loop_counts_once_per_visitor_and_day(
    merchant: Client, anonymous: Client, db: AsyncSession, clock: ModuleType
) -> None:
    product, note = await shop_note(merchant)
    results = [await accepted(anonymous, *[view(note["id"])] * 50) for _ in range(10)]
    assert sum(a for a, _ in results) == 1
    assert sum(d for _, d in results) == 499
    assert await accepted(anonymous, *[tap(note["id"], product["id"])] * 20) == (5, 15)
    first = (await db.scalars(select(EngagementEvent.visitor))).first()
    clock.advance(timedelta(days=1))
    assert await accepted(anonymous, view(note["id"]), view(note["id"])) == (1, 1)
    await db.rollback()
    visitors = set((await db.scalars(select(EngagementEvent.visitor))).all())
    assert len(visitors) == 2  # a new day, a new salt: the two days' rows share no hash
    assert first in visitors
    await roll_up(db)
    days = await daily(db, note_id=note["id"], type="note_view")
    assert days == [("note_view", 1, 1, 1), ("note_view", 1, 1, 1)]
    assert await daily(db, type="tag_tap") == [("tag_tap", 5, 1, 0)]


async def test_the_rate_limit_stops_a_flood_of_batches(merchant: Client, anonymous: Client) -> None:
    _, note = await shop_note(merchant)
    statuses = [(await post_events(anonymous, view(note["id"]))).status_code for _ in range(31)]
    assert statuses[:30] == [202] * 30
    assert statuses[30] == 429


async def test_events_credit_the_shops_a_note_tags_and_drop_what_is_not_public(
    merchant: Client, other_merchant: Client, creator: Client, anonymous: Client, db: AsyncSession
) -> None:
    mine = await make_product(merchant, "Mine", sku="MINE-1", open_bps=1000)
    theirs = await make_product(other_merchant, "Theirs", sku="THEIRS-1", open_bps=1000)
    both = await make_note(creator, [mine["id"], theirs["id"]], title="Two shops")
    their_note = await make_note(other_merchant, [theirs["id"]], title="Theirs only")
    hidden = await draft_note(other_merchant, [theirs["id"]])
    counts = await accepted(
        anonymous,
        view(both["id"]),  # credits both shops: two rows, one event
        tap(their_note["id"], mine["id"]),  # my product is not on their note
        view(hidden["id"]),
    )
    assert counts == (1, 2)
    rows = (await db.execute(select(EngagementEvent.merchant_id, EngagementEvent.note_id))).all()
    shops = {merchant.me["merchant"]["id"], other_merchant.me["merchant"]["id"]}
    assert sorted(rows) == sorted((shop, both["id"]) for shop in shops)


async def test_rooms_credit_their_host_and_the_shops_on_their_shelf(
    merchant: Client, other_merchant: Client, anonymous: Client, db: AsyncSession
) -> None:
    mine = await make_product(merchant, "On the shelf", sku="SHELF-1")
    theirs = await make_product(other_merchant, "Not on it", sku="OFF-SHELF-1")
    stream = await merchant.post("/api/v1/streams", json={"title": "Morning glow"})
    assert stream.status_code == 201, stream.text
    sid = stream.json()["id"]
    shelf = await merchant.put(f"/api/v1/streams/{sid}/products", json={"product_ids": [mine["id"]]})
    assert shelf.status_code == 200, shelf.text
    counts = await accepted(
        anonymous,
        {"type": "room_join", "stream_id": sid},
        {"type": "product_view", "product_id": mine["id"], "stream_id": sid},
        {"type": "add_to_cart", "product_id": theirs["id"], "stream_id": sid},  # not on this shelf
        {"type": "room_join", "stream_id": sid, "note_id": 1},
        {"type": "product_view", "product_id": mine["id"], "stream_id": sid, "note_id": 1},
    )
    assert counts == (2, 3)
    rows = (await db.execute(select(EngagementEvent.type, EngagementEvent.merchant_id))).all()
    assert sorted(rows) == [
        ("product_view", merchant.me["merchant"]["id"]),
        ("room_join", merchant.me["merchant"]["id"]),
    ]


async def test_the_rollup_is_incremental_idempotent_and_safe_twice_at_once(
    merchant: Client, anonymous: Client, third_client: Client, db: AsyncSession
) -> None:
    product, note = await shop_note(merchant)
    nid, pid = note["id"], product["id"]
    assert await accepted(anonymous, view(nid), tap(nid, pid)) == (2, 0)
    first = await roll_up(db)
    assert first.events == 2
    before = await daily(db)
    assert before == [("note_view", 1, 1, 1), ("tag_tap", 1, 1, 0)]
    again = await roll_up(db)
    assert again.events == 0
    assert await daily(db) == before
    assert await accepted(third_client, view(nid), tap(nid, pid), tap(nid, pid)) == (3, 0)
    runs = await asyncio.gather(roll_up(db, chunk=2), roll_up(db, chunk=2))
    assert sum(run.events for run in runs) == 3
    assert await daily(db) == [("note_view", 2, 2, 2), ("tag_tap", 3, 2, 0)]
    assert (await roll_up(db)).events == 0


async def buy(shopper: Client, lines: list[dict[str, Any]]) -> int:
    """The shopper buys these cart lines and pays by card: the order id."""
    await add_address(shopper)
    for line in lines:
        added = await shopper.post("/api/v1/cart/lines", json=line)
        assert added.status_code == 201, added.text
    checkout = await shopper.post("/api/v1/checkout", json={})
    assert checkout.status_code == 201, checkout.text
    order_id = int(checkout.json()["order_id"])
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return order_id


async def steps(merchant: Client, query: str) -> list[int]:
    response = await merchant.get(f"/api/v1/dashboard/funnel?{query}")
    assert response.status_code == 200, response.text
    names = [step["name"] for step in response.json()["steps"]]
    assert names == ["note_views", "tag_taps", "product_views", "add_to_cart", "paid"]
    return [step["count"] for step in response.json()["steps"]]


async def test_the_funnel_of_a_known_scenario(
    merchant: Client,
    anonymous: Client,
    third_client: Client,
    shopper: Client,
    db: AsyncSession,
    clock: ModuleType,
) -> None:
    serum = await make_product(merchant, "Funnel Serum", sku="FUNNEL-SERUM", stock=20)
    balm = await make_product(merchant, "Funnel Balm", sku="FUNNEL-BALM", stock=20)
    s, b = serum["id"], balm["id"]
    one = (await make_note(merchant, [s], title="One"))["id"]
    two = (await make_note(merchant, [s, b], title="Two"))["id"]
    clock.advance(timedelta(days=-1))  # yesterday: one view of note two
    assert await accepted(anonymous, view(two)) == (1, 0)
    clock.advance(timedelta(days=1))
    from_one = {"product_id": s, "note_id": one}
    assert await accepted(
        anonymous,
        view(one),
        tap(one, s),
        tap(one, s),
        {"type": "product_view", **from_one},
        {"type": "add_to_cart", **from_one},
    ) == (5, 0)
    assert await accepted(third_client, view(one), view(two), tap(two, b)) == (3, 0)
    direct = [{"type": "product_view", "product_id": s}, {"type": "add_to_cart", "product_id": s}]
    assert await accepted(shopper, view(one), tap(one, s), *direct) == (4, 0)
    # One order: a serum from note one and a balm bought directly; it counts once, for note one.
    await buy(
        shopper,
        [
            {"variant_id": serum["variants"][0]["id"], "quantity": 2, "source": {"type": "note", "id": one}},
            {"variant_id": balm["variants"][0]["id"], "quantity": 1},
        ],
    )
    await roll_up(db)
    # Today: views 1+1+1 of one and 1 of two; taps 2+1+1; the direct view and add are not a note's.
    assert await steps(merchant, "period=today") == [4, 4, 1, 1, 1]
    assert await steps(merchant, "period=7d") == [5, 4, 1, 1, 1]
    assert await steps(merchant, f"period=today&note_id={one}") == [3, 3, 1, 1, 1]
    assert await steps(merchant, f"period=30d&note_id={two}") == [2, 1, 0, 0, 0]
    clock.advance(timedelta(days=1))  # tomorrow's "today" has nothing yet
    assert await steps(merchant, "period=today") == [0, 0, 0, 0, 0]
    assert await steps(merchant, "period=7d") == [5, 4, 1, 1, 1]


async def test_a_note_nobody_viewed_has_a_funnel_of_zeros(merchant: Client) -> None:
    _, note = await shop_note(merchant)
    for period in ("today", "7d", "30d"):
        assert await steps(merchant, f"period={period}&note_id={note['id']}") == [0, 0, 0, 0, 0]


async def test_the_funnel_is_the_shops_own(
    merchant: Client, other_merchant: Client, shopper: Client, creator: Client
) -> None:
    _, theirs = await shop_note(other_merchant)
    mine = await make_product(merchant, "Open Serum", sku="OPEN-SERUM", open_bps=1000)
    creators = await make_note(creator, [mine["id"]], title="A creator's note of mine")
    hidden = await draft_note(creator, [mine["id"]])
    assert (await merchant.get(f"/api/v1/dashboard/funnel?note_id={theirs['id']}")).status_code == 404
    assert (await merchant.get(f"/api/v1/dashboard/funnel?note_id={hidden['id']}")).status_code == 404
    assert (await merchant.get(f"/api/v1/dashboard/funnel?note_id={MISSING}")).status_code == 404
    assert (await other_merchant.get(f"/api/v1/dashboard/funnel?note_id={theirs['id']}")).status_code == 200
    assert await steps(merchant, f"note_id={creators['id']}") == [0, 0, 0, 0, 0]
    assert (await shopper.get("/api/v1/dashboard/funnel")).status_code == 404
    assert (await merchant.get("/api/v1/dashboard/funnel?period=1y")).status_code == 422
    assert (await merchant.get(f"/api/v1/dashboard/funnel?note_id={2**60}")).status_code == 422


async def test_generated_traffic_rolls_up_to_its_own_totals(merchant: Client, db: AsyncSession) -> None:
    _, note = await shop_note(merchant)
    shop_id = merchant.me["merchant"]["id"]
    written = await generate_events(db, shop_id, 3_000, days=3, visitors=40, chunk=700)
    assert 500 < written < 3_000  # 40 visitors a day hit the caps: the excess is skipped
    assert (await roll_up(db, chunk=1_000)).events == written
    rows = await daily(db, merchant_id=shop_id)
    assert sum(count for _, count, _, _ in rows) == written
    assert all(0 < visitors <= min(count, 40) for _, count, visitors, _ in rows)
    assert 0 < sum(shop for _, _, _, shop in rows) <= 3 * 40  # at most 40 visitors a day
    views = await daily(db, merchant_id=shop_id, type="note_view", note_id=note["id"])
    assert all(count == visitors for _, count, visitors, _ in views)  # a view counts once a visitor
