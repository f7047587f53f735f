"""The demo seeder's live streams: a room on air with a running sale, replays with chapters, and a
second run that adds nothing (no stream, no order) but a fresh sale once the last one has ended."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale
from live.models import Stream, StreamEvent
from shop.demo import seed as demo
from shop.orders.models import Order
from shop.settings import Settings
from tests.helpers import Client


async def _counts(db: AsyncSession) -> tuple[int, ...]:
    return tuple(
        [
            int(await db.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Stream, StreamEvent, FlashSale, Order)
        ]
    )


async def test_seeded_streams_are_live_replayable_and_idempotent(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    await demo.seed(settings, with_notes=False)  # no stream needs the notes, and drawing them is slow
    before = await _counts(db)
    assert before[3] > 0  # the demo's orders, on the local Stripe server the fixture runs
    await demo.seed(settings, with_notes=False)
    assert await _counts(db) == before

    [live] = (await client.get("/api/v1/streams", params={"status": "live"})).json()
    assert live["host"]["display_name"] == "Hana Park"
    assert 5 <= len(live["products"]) <= 8
    assert live["pinned"]["id"] in {p["id"] for p in live["products"]}
    sale = (await client.get(f"/api/v1/flash-sales/{live['flash_sale']['id']}")).json()
    assert (sale["status"], sale["remaining"], sale["per_customer_limit"]) == ("live", 30, 2)
    ledger = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert ledger["invariant_ok"]
    assert ledger["available"] == 30

    ended = (await client.get("/api/v1/streams", params={"status": "ended"})).json()
    assert len(ended) == 3
    for stream in ended:
        replay = (await client.get(f"/api/v1/streams/{stream['id']}/replay")).json()
        at = [c["at_s"] for c in replay["chapters"]]
        assert 3 <= len(at) <= 5
        assert at == sorted(set(at))
        assert at[0] > 0
        ts = [e["ts"] for e in replay["events"]]
        assert ts == sorted(ts)
        assert ts[-1] < datetime.now(UTC).timestamp() - 3600
    assert len((await client.get("/api/v1/streams", params={"status": "scheduled"})).json()) == 1

    # A later day: the room's sale is over. The next run closes it and opens a fresh one.
    await db.execute(
        update(FlashSale)
        .where(FlashSale.id == sale["id"])
        .values(
            starts_at=datetime.now(UTC) - timedelta(hours=2), ends_at=datetime.now(UTC) - timedelta(hours=1)
        )
    )
    await db.commit()
    await demo.seed(settings, with_notes=False)
    fresh = (await client.get(f"/api/v1/streams/{live['id']}")).json()["flash_sale"]
    assert fresh["id"] != sale["id"]
    assert (fresh["status"], fresh["remaining"]) == ("live", 30)
    old = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert old["invariant_ok"]
    assert (old["sold"], old["held"]) == (0, 0)
    streams, _, sales, orders = await _counts(db)
    assert (streams, sales, orders) == (before[0], before[2] + 1, before[3])
