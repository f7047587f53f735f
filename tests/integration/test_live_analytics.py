"""Per-stream live analytics (issue 12): a room whose every event is placed in a known minute by the
clock gives hand-computed per-minute figures and per-pin and per-sale rows; others' streams are
404; an empty stream shows zeros; the sampler writes one row per live stream per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live import sampler
from live.counters import RoomCounters
from live.models import StreamSample
from tests.helpers import Client, Cost, add_address, make_product
from tests.integration.deal_helpers import active_deal
from tests.live_helpers import hold_and_checkout, launch_sale


def _counters() -> RoomCounters:
    return RoomCounters(lambda _message, _channel: None, None, "analytics-test")


async def _pay(shopper: Client, order_id: int) -> None:
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text


async def _buy(shopper: Client, stream_id: int, variant_id: int, quantity: int) -> None:
    body = {"variant_id": variant_id, "quantity": quantity}
    placed = await shopper.post(f"/api/v1/streams/{stream_id}/checkout", json=body)
    assert placed.status_code == 201, placed.text
    await _pay(shopper, placed.json()["order_id"])


async def _events(client: Client, *events: dict[str, Any]) -> None:
    sent = await client.post("/api/v1/events", json={"events": list(events)})
    assert sent.status_code == 202, sent.text
    assert sent.json()["dropped"] == 0, sent.text


async def _chat(client: Client, stream_id: int, text: str) -> None:
    said = await client.post(f"/api/v1/streams/{stream_id}/chat", json={"text": text})
    assert said.status_code == 201, said.text


def _start_of_next_minute() -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)


async def _room(merchant: Client, creator: Client) -> dict[str, Any]:
    serum = await make_product(merchant, "Stat Serum", price=3000, stock=40, sku="STAT-SERUM")
    mask = await make_product(merchant, "Stat Mask", price=2000, stock=40, sku="STAT-MASK")
    stream_id = (await merchant.post("/api/v1/streams", json={"title": "Minute by minute"})).json()["id"]
    ids = [serum["id"], mask["id"]]
    assert (await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": ids})).is_success
    added = await merchant.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": creator.id})
    assert added.status_code == 201
    return {"stream_id": stream_id, "serum": serum, "mask": mask, "variant_id": serum["variants"][0]["id"]}


async def _play(
    app: Litestar, clock: ModuleType, merchant: Client, creator: Client, buyers: list[Client]
) -> dict[str, Any]:
    """T0 is a whole minute. 0:05 start · 0:10 sample (3 viewers, 4 likes) · 0:15 the host pins the
    serum · 0:20 two chats · 0:25 two serum taps and a join · 0:30 A buys 2 serums · 0:40 sample
    (5, 10) · 1:05 the moderator pins the mask · 1:15 a chat · 1:20 flash sale on the serum, 60 s ·
    1:30 B pays a sale hold · 1:40 C taps the serum · 1:50 sample (4, 12) · 2:10 C buys a mask ·
    2:30 sample (2, 12) · 2:40 end."""
    room = await _room(merchant, creator)
    sid, serum, mask = room["stream_id"], room["serum"]["id"], room["mask"]["id"]
    a, b, c = buyers
    for buyer in buyers:
        await add_address(buyer)
    t0, counters, sessions = _start_of_next_minute(), _counters(), app.state["sessions"]

    async def at(seconds: int) -> None:
        clock.set(t0 + timedelta(seconds=seconds))

    async def sample(seconds: int, viewers: int, likes: int) -> None:
        await at(seconds)
        now = await counters.totals(sid)
        await counters.viewer(sid, "x", viewers - now["viewers"])
        await counters.like(sid, "x", likes - now["likes"])
        assert await sampler.sample(sessions, counters) == 1

    await at(5)
    assert (await merchant.post(f"/api/v1/streams/{sid}/start")).json()["status"] == "live"
    await sample(10, 3, 4)
    await at(15)
    assert (await merchant.post(f"/api/v1/streams/{sid}/pin", json={"product_id": serum})).is_success
    await at(20)
    await _chat(a, sid, "Hello!")
    await _chat(b, sid, "Is it for dry skin?")
    await at(25)
    await _events(
        a,
        {"type": "product_view", "stream_id": sid, "product_id": serum},
        {"type": "room_join", "stream_id": sid},
    )
    await _events(b, {"type": "product_view", "stream_id": sid, "product_id": serum})
    await at(30)
    await _buy(a, sid, room["variant_id"], 2)
    await sample(40, 5, 10)
    await at(65)
    assert (await creator.post(f"/api/v1/streams/{sid}/pin", json={"product_id": mask})).is_success
    await at(75)
    await _chat(c, sid, "Mask next please")
    await at(80)
    sale = await launch_sale(merchant, room, quantity=5, limit=2, price=1999, duration_s=60)
    await at(90)
    await _pay(b, (await hold_and_checkout(b, sale["id"], 1))["order_id"])
    await at(100)
    await _events(c, {"type": "product_view", "stream_id": sid, "product_id": serum})
    await sample(110, 4, 12)
    room["cost_mid"] = await Cost().of(merchant, f"/api/v1/streams/{sid}/analytics")
    await at(130)
    await _buy(c, sid, room["mask"]["variants"][0]["id"], 1)
    await sample(150, 2, 12)
    await at(160)
    assert (await merchant.post(f"/api/v1/streams/{sid}/end")).json()["status"] == "ended"
    return {**room, "t0": t0, "sale_id": sale["id"]}


def _hhmm(t0: datetime, minutes: int) -> str:
    return (t0 + timedelta(minutes=minutes)).strftime("%H:%M")


def _hms(t0: datetime, seconds: int) -> str:
    return (t0 + timedelta(seconds=seconds)).strftime("%H:%M:%S")


async def test_a_stream_minute_by_minute_with_its_pins_and_sales(
    app: Litestar,
    clock: ModuleType,
    merchant: Client,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    third_client: Client,
) -> None:
    from tests.helpers import register

    third_client.me = await register(third_client, "buyer-c@example.com")
    room = await _play(app, clock, merchant, creator, [shopper, other_shopper, third_client])
    sid, t0 = room["stream_id"], room["t0"]
    body = (await merchant.get(f"/api/v1/streams/{sid}/analytics")).json()
    usd = lambda amount: {"amount": amount, "currency": "USD"}  # noqa: E731

    assert body["role"] == "host"
    assert body["currency"] == "USD"
    assert [
        (m["label"], m["likes"], m["chat"], m["orders"], m["units"], m["gmv"]) for m in body["minutes"]
    ] == [
        (_hhmm(t0, 0), 10, 2, 1, 2, usd(6000)),
        (_hhmm(t0, 1), 2, 1, 1, 1, usd(1999)),
        (_hhmm(t0, 2), 0, 0, 1, 1, usd(2000)),
    ]
    assert [v["viewers"] for v in body["viewers"]] == [3, 5, 4, 2]
    assert body["summary"] == {
        "peak_viewers": 5, "avg_viewers": 3.5, "likes": 12, "chat": 3, "joins": 1, "taps": 3,
        "orders": 3, "units": 4, "gmv": usd(9999),
    }  # fmt: skip
    assert [(m["kind"], m["index"], m["product_id"]) for m in body["markers"]] == [
        ("pin", 0, room["serum"]["id"]),
        ("pin", 1, room["mask"]["id"]),
        ("sale_start", 1, room["serum"]["id"]),
        ("sale_end", 2, room["serum"]["id"]),
    ]
    serum_pin, mask_pin = body["pins"]
    assert (serum_pin["from"]["label"], serum_pin["to"]["label"]) == (_hms(t0, 15), _hms(t0, 65))
    figures = ("avg_viewers", "joins", "taps", "orders", "units", "gmv")
    assert [serum_pin[k] for k in figures] == [5.0, 1, 2, 1, 2, usd(6000)]
    assert mask_pin["to"]["label"] == _hms(t0, 160)  # until the end
    assert [mask_pin[k] for k in figures] == [3.0, 0, 0, 1, 1, usd(2000)]
    (sale,) = body["sales"]
    assert sale["id"] == room["sale_id"]
    assert sale["quantity"] == 5
    assert sale["sold"] == 1
    assert [sale[k] for k in figures] == [4.0, 0, 1, 1, 1, usd(1999)]

    page = await merchant.get(f"/dashboard/live/{sid}")
    assert page.status_code == 200
    assert 'id="sales-chart"' in page.text
    assert 'id="live-analytics"' in page.text
    assert f'<tr data-minute="{_hhmm(t0, 0)}"><td>{_hhmm(t0, 0)}</td><td>10</td><td>2</td></tr>' in page.text
    assert f"<td>{_hhmm(t0, 1)}</td><td>1</td><td>1</td><td>$19.99</td>" in page.text
    assert f'<tr data-pin-product="{room["serum"]["id"]}"><td>Stat Serum</td>' in page.text
    assert "<td>1 / 5</td>" in page.text
    assert "$99.99" in page.text
    listing = await merchant.get("/dashboard/live")
    assert f'<tr data-stream-id="{sid}">' in listing.text
    assert "<td data-peak>5</td>" in listing.text
    assert "<td data-gmv>$99.99</td>" in listing.text

    # More rows never mean more queries: the same reads as halfway through.
    assert await Cost().of(merchant, f"/api/v1/streams/{sid}/analytics") == room["cost_mid"]


async def test_a_brand_sees_its_own_lines_of_a_creators_stream_and_others_see_nothing(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client
) -> None:
    serum = await make_product(merchant, "Deal Serum", price=4000, stock=20, sku="BRAND-SERUM")
    other = await make_product(
        other_merchant, "Open Balm", price=1500, stock=20, sku="OPEN-BALM", open_bps=1000
    )
    deal = await active_deal(merchant, creator, product_ids=[serum["id"]], deliverable="stream")
    made = await creator.post("/api/v1/streams", json={"title": "For the brand", "deal_id": deal["id"]})
    sid = made.json()["id"]
    shelf = {"product_ids": [serum["id"], other["id"]]}
    assert (await creator.put(f"/api/v1/streams/{sid}/products", json=shelf)).status_code == 200
    assert (await creator.post(f"/api/v1/streams/{sid}/start")).status_code == 200
    for product in (serum, other):
        assert (
            await creator.post(f"/api/v1/streams/{sid}/pin", json={"product_id": product["id"]})
        ).is_success
    await add_address(shopper)
    await _buy(shopper, sid, serum["variants"][0]["id"], 1)
    await _buy(shopper, sid, other["variants"][0]["id"], 2)

    brand = (await merchant.get(f"/api/v1/streams/{sid}/analytics")).json()
    assert brand["role"] == "brand"
    assert (brand["summary"]["orders"], brand["summary"]["gmv"]["amount"]) == (1, 4000)
    assert [p["product_id"] for p in brand["pins"]] == [serum["id"]]  # the balm is not its business
    assert len(brand["markers"]) == 2  # the room showed both pins to everyone
    host = (await creator.get(f"/api/v1/streams/{sid}/analytics")).json()
    assert host["role"] == "host"
    assert host["summary"]["gmv"]["amount"] == 4000 + 2 * 1500
    assert [p["product_id"] for p in host["pins"]] == [serum["id"], other["id"]]
    page = await merchant.get(f"/dashboard/live/{sid}")
    assert page.status_code == 200
    assert "your products' figures only" in page.text
    listed = await merchant.get("/dashboard/live")
    assert f'<tr data-stream-id="{sid}">' in listed.text
    assert "<td data-gmv>$40.00</td>" in listed.text

    for outsider in (other_merchant, shopper):  # the balm's shop sold here, but the stream is not its
        assert (await outsider.get(f"/api/v1/streams/{sid}/analytics")).status_code == 404
        assert (await outsider.get(f"/dashboard/live/{sid}")).status_code == 404
    assert f'data-stream-id="{sid}"' not in (await other_merchant.get("/dashboard/live")).text
    own = (await other_merchant.post("/api/v1/streams", json={"title": "Theirs"})).json()["id"]
    assert (await merchant.get(f"/api/v1/streams/{own}/analytics")).status_code == 404
    assert (await merchant.get(f"/dashboard/live/{own}")).status_code == 404
    assert (await merchant.get("/dashboard/live/99999999")).status_code == 404


async def test_a_stream_with_no_data_shows_zeros(merchant: Client, anonymous: Client) -> None:
    sid = (await merchant.post("/api/v1/streams", json={"title": "Quiet one"})).json()["id"]
    body = (await merchant.get(f"/api/v1/streams/{sid}/analytics")).json()
    assert body["summary"] == {
        "peak_viewers": 0, "avg_viewers": 0, "likes": 0, "chat": 0, "joins": 0, "taps": 0,
        "orders": 0, "units": 0, "gmv": {"amount": 0, "currency": "USD"},
    }  # fmt: skip
    assert body["minutes"] == body["viewers"] == body["markers"] == body["pins"] == body["sales"] == []
    page = await merchant.get(f"/dashboard/live/{sid}")
    assert page.status_code == 200
    assert '<article class="dash-card" data-card="orders"><h3>Orders</h3><p class="figure">0</p>' in page.text
    assert "No samples yet" in page.text
    assert "Nothing was pinned." in page.text
    listed = await merchant.get("/dashboard/live")
    assert f'<tr data-stream-id="{sid}">' in listed.text
    assert "<td data-gmv>$0.00</td>" in listed.text
    assert (await anonymous.get(f"/api/v1/streams/{sid}/analytics")).status_code == 401
    assert (await anonymous.get("/dashboard/live")).status_code == 404


class _FlakyRedis:
    """The network edge: a Redis whose reads fail for one stream's keys (others count in a dict)."""

    def __init__(self, broken: int) -> None:
        self.broken, self.values = broken, dict[str, int]()

    async def incrby(self, name: str, amount: int = 1) -> int:
        if f":room:{self.broken}:" in name:
            raise RuntimeError("read timed out")
        self.values[name] = self.values.get(name, 0) + amount
        return int(self.values[name])


async def _rows(db: AsyncSession) -> list[tuple[int, datetime, int, int]]:
    stmt = select(StreamSample.stream_id, StreamSample.at, StreamSample.viewers, StreamSample.likes)
    return list((await db.execute(stmt.order_by(StreamSample.at, StreamSample.stream_id))).all())


async def test_the_sampler_writes_one_row_per_live_stream_per_slot(
    app: Litestar, clock: ModuleType, merchant: Client, db: AsyncSession
) -> None:
    ids = [(await merchant.post("/api/v1/streams", json={"title": f"S{i}"})).json()["id"] for i in range(3)]
    for sid in ids[:2]:
        assert (await merchant.post(f"/api/v1/streams/{sid}/start")).status_code == 200  # the third waits
    counters, sessions = _counters(), app.state["sessions"]
    await counters.viewer(ids[0], "x", 7)
    await counters.like(ids[1], "x", 3)
    t0 = _start_of_next_minute()
    clock.set(t0 + timedelta(seconds=3))
    assert await sampler.sample(sessions, counters) == 2
    clock.set(t0 + timedelta(seconds=8))
    await sampler.sample(sessions, counters)  # the same slot (another process, say): no second row
    clock.set(t0 + timedelta(seconds=12))
    await counters.viewer(ids[0], "x", -2)
    assert await sampler.sample(sessions, counters) == 2
    assert await _rows(db) == [
        (ids[0], t0, 7, 0),
        (ids[1], t0, 0, 3),
        (ids[0], t0 + timedelta(seconds=10), 5, 0),
        (ids[1], t0 + timedelta(seconds=10), 0, 3),
    ]

    # One room's counters failing costs that room its sample, not the others theirs.
    flaky = RoomCounters(lambda _message, _channel: None, _FlakyRedis(ids[0]), "zc")  # type: ignore[arg-type]
    clock.set(t0 + timedelta(seconds=21))
    assert await sampler.sample(sessions, flaky) == 1
    latest = select(StreamSample.stream_id).where(StreamSample.at == t0 + timedelta(seconds=20))
    assert list(await db.scalars(latest)) == [ids[1]]
    assert await db.scalar(select(func.count()).select_from(StreamSample)) == 5
