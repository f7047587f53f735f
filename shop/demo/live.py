"""Live streams for the demo: a room on air with a running flash sale, replays, and an upcoming show.

Rooms are built the way a host builds them (`create_stream`, `set_shelf`, `set_status`, `pin`,
`chat.post`, the flash-sale `launch`) and sales are closed the way the sweeper closes them, so the
shelf, the event log and the stock ledger stay right. What the services cannot do is happen in the
past: every event is stamped with the current time and `launch` opens sales from now on. So a show
is played now and then moved back: the stream's start and end, each event's `ts` and `created_at`,
and each sale's window, by the offsets in the show's script; replay chapters are cut from those
`ts`. Shows are found again by host and title, so a second run adds nothing, except a fresh sale in
the live room once the last one is over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live import chat
from live import services as streams
from live.flash_sales import jobs
from live.flash_sales import services as sales
from live.flash_sales.gate import MemoryGate
from live.flash_sales.models import FlashSale
from live.flash_sales.schemas import FlashSaleIn
from live.models import Stream, StreamEvent, StreamStatus
from live.schemas import StreamIn
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.catalog.schemas import MoneyIn
from shop.core import clock
from shop.core.ratelimit import MemoryAttemptCounter
from shop.demo.plan import ProductKey
from shop.demo.shows import LIVE_NOW, LIVE_SALE, REPLAYS, UPCOMING, Show
from shop.inventory.services import held_quantities

LIVE_SALE_QUANTITY, REPLAY_SALE_QUANTITY = 30, 20
REPLAY_SALE_S = 300
SALE_LIMIT = 2
# The longest sale the API allows, so the room `scripts/demo` opens keeps its deal for a while.
LIVE_SALE_S = next(m.le for m in FlashSaleIn.model_fields["duration_s"].metadata if hasattr(m, "le"))


@dataclass
class _Studio:
    db: AsyncSession
    users: dict[str, User]
    products: dict[ProductKey, int]
    hold_seconds: int
    # Process-local stand-ins: the app's gate rebuilds a sale from the ledger on first use, so the
    # seeder loads nothing into it; and the scripted chat stays far under the per-user rate limit.
    gate: MemoryGate = field(default_factory=MemoryGate)
    attempts: MemoryAttemptCounter = field(default_factory=MemoryAttemptCounter)


async def seed_live(
    db: AsyncSession,
    users: dict[str, User],
    products: dict[ProductKey, int],
    *,
    hold_seconds: int,
    say: Callable[[str], None],
) -> int:
    """Write the demo's streams; returns how many objects were created."""
    studio = _Studio(db, users, products, hold_seconds)
    created = 0
    for show in REPLAYS:
        if await _find(studio, show) is None:
            await _air_replay(studio, show)
            created += 1
    # Only a room still on air counts: if someone ended it from the demo, the next run opens
    # another with the same title, so the live page always has something on.
    live = await _find(studio, LIVE_NOW, StreamStatus.LIVE)
    if live is None:
        live = await _go_live(studio, LIVE_NOW)
        created += 1
    sale, fresh = await _ensure_sale(studio, live)
    created += fresh + await _ensure_upcoming(studio, UPCOMING)
    deal = f"flash sale #{sale.id} until {sale.ends_at:%H:%M} UTC" if sale else "no flash sale"
    say(f"1 live stream ({deal}), {len(REPLAYS)} replays, 1 upcoming")
    return created


def _now() -> datetime:
    return clock.now().replace(microsecond=0)


async def _find(studio: _Studio, show: Show, status: StreamStatus | None = None) -> Stream | None:
    stmt = select(Stream).where(Stream.host_id == studio.users[show.host].id, Stream.title == show.title)
    if status is not None:
        stmt = stmt.where(Stream.status == status.value)
    return await studio.db.scalar(stmt.order_by(Stream.id.desc()).limit(1))


async def _shelve(studio: _Studio, stream: Stream, show: Show) -> int:
    host = studio.users[show.host]
    shelved = await streams.set_shelf(studio.db, host, stream, [studio.products[k] for k in show.shelf])
    # The event the shelf endpoint publishes, so a replay opens with the shelf like a real one.
    cards = [streams.product_card(p) for p in shelved]
    return int((await streams.next_event(studio.db, stream, "shelf", {"products": cards}))["seq"])


async def _open(studio: _Studio, show: Show) -> tuple[Stream, dict[int, float]]:
    """Create, shelve and start a show; returns it with {event seq: seconds after the start}."""
    stream = await streams.create_stream(studio.db, studio.users[show.host], StreamIn(title=show.title))
    shelf_seq = await _shelve(studio, stream, show)
    started = await streams.set_status(studio.db, stream, StreamStatus.LIVE)
    assert started is not None
    return stream, {shelf_seq: -90.0, int(started["seq"]): 0.0}


def _beats(script: str) -> list[tuple[float, str, str]]:
    beats = []
    for line in script.strip().splitlines():
        clock, verb, rest = line.strip().split(" ", 2)
        minutes, seconds = clock.split(":")
        beats.append((int(minutes) * 60.0 + int(seconds), verb.removesuffix(":"), rest))
    return beats


async def _play(studio: _Studio, stream: Stream, show: Show, started: datetime) -> dict[int, float]:
    """Run the script; returns {event seq: seconds after `started`}.

    A sale is closed (with the sweeper's `ended` event) before the first beat after its end, so
    the log's `ts` keep rising with its sequence numbers.
    """
    by_name = {name: studio.products[(code, name)] for code, name in show.shelf}
    offsets: dict[int, float] = {}
    running: dict[int, float] = {}  # sale id → its end, in seconds after the start
    for at_s, verb, rest in _beats(show.script):
        offsets.update(await _close_due(studio, running, at_s))
        if verb == "pin":
            event = (await streams.pin(studio.db, stream, by_name[rest])).event
        elif verb == "sale":
            at = started + timedelta(seconds=at_s)
            launched = await _launch(studio, stream, by_name[rest], REPLAY_SALE_QUANTITY, REPLAY_SALE_S, at)
            if launched is None:
                continue
            running[launched[0].id], event = at_s + REPLAY_SALE_S, launched[1]
        else:
            event = await chat.post(studio.db, studio.attempts, studio.users[verb], stream.id, rest)
        offsets[int(event["seq"])] = at_s
    offsets.update(await _close_due(studio, running, math.inf))
    return offsets


def _deal_price(price: int) -> int:
    # About 30% off, ending in 99 the way shops price deals: 1899 → 1299, 2600 → 1799.
    return max(99, round(price * 0.7 / 100) * 100 - 1)


async def _launch(
    studio: _Studio,
    stream: Stream,
    product_id: int,
    quantity: int,
    duration_s: int,
    at: datetime | None = None,
) -> tuple[FlashSale, dict[str, Any]] | None:
    """Launch a sale on the product's best-stocked variant and log it as the launch endpoint does.

    `at` moves the sale into a past show; `launch` itself only opens sales from now on.
    """
    db = studio.db
    product = await db.get(Product, product_id)
    assert product is not None
    held = await held_quantities(db, [v.id for v in product.variants])
    variant = max(product.variants, key=lambda v: v.stock_on_hand - held.get(v.id, 0))
    quantity = min(quantity, variant.stock_on_hand - held.get(variant.id, 0))
    if quantity < SALE_LIMIT:
        return None  # demo shoppers bought it out: no deal beats a refused launch
    price = MoneyIn(amount=_deal_price(variant.price_amount), currency=variant.currency)
    terms = FlashSaleIn(
        variant_id=variant.id,
        quantity=quantity,
        price=price,
        per_customer_limit=SALE_LIMIT,
        duration_s=duration_s,
        countdown_s=0,
    )
    sale = await sales.launch(db, stream, terms, studio.hold_seconds)
    if at is not None:
        sale.created_at, sale.starts_at, sale.ends_at = at, at, at + timedelta(seconds=duration_s)
        await db.flush()
    view = await sales.sale_view(db, None, sale)
    view["status"] = "live"  # as the room saw it at launch, also for a sale moved into the past
    payload = {"state": "started", "flash_sale": view, "product": view["product"]}
    return sale, await streams.next_event(db, stream, "flash_sale", payload)


async def _close_ended(studio: _Studio) -> dict[int, int]:
    """Close ended sales as the sweeper does, with its `ended` event; returns {sale id: event seq}."""
    seqs = {}
    for sale_id in await jobs.close_ended(studio.db, studio.gate):
        sale = await studio.db.get(FlashSale, sale_id)
        assert sale is not None
        stream = await streams.get_stream(studio.db, sale.stream_id)
        view = await sales.sale_view(studio.db, None, sale)
        event = await streams.next_event(
            studio.db, stream, "flash_sale", {"state": "ended", "flash_sale": view}
        )
        seqs[sale_id] = int(event["seq"])
    return seqs


async def _close_due(studio: _Studio, running: dict[int, float], upto_s: float) -> dict[int, float]:
    """Close the running sales that end by `upto_s`; returns {ended event seq: the sale's end}."""
    if not any(end_s <= upto_s for end_s in running.values()):
        return {}
    closed = await _close_ended(studio)
    return {seq: running.pop(sale_id) for sale_id, seq in closed.items() if sale_id in running}


async def _backdate(db: AsyncSession, stream: Stream, started: datetime, offsets: dict[int, float]) -> None:
    """Move the stream's start and the given events back in time."""
    stream.created_at, stream.started_at = started - timedelta(minutes=10), started
    rows = await db.scalars(
        select(StreamEvent).where(StreamEvent.stream_id == stream.id, StreamEvent.seq.in_(offsets))
    )
    for row in rows:
        when = started + timedelta(seconds=offsets[row.seq])
        # A new dict, not an in-place edit: the JSON column only notices reassignment.
        row.payload, row.created_at = {**row.payload, "ts": round(when.timestamp(), 3)}, when
    await db.flush()


async def _air_replay(studio: _Studio, show: Show) -> None:
    started = _now().replace(second=0) - timedelta(minutes=show.started_min_ago)
    stream, offsets = await _open(studio, show)
    offsets.update(await _play(studio, stream, show, started))
    ended = await streams.set_status(studio.db, stream, StreamStatus.ENDED)
    assert ended is not None
    offsets[int(ended["seq"])] = show.length_min * 60.0
    await _backdate(studio.db, stream, started, offsets)
    stream.ended_at = started + timedelta(minutes=show.length_min)
    await studio.db.commit()


async def _go_live(studio: _Studio, show: Show) -> Stream:
    started = _now() - timedelta(minutes=show.started_min_ago)
    stream, offsets = await _open(studio, show)
    offsets.update(await _play(studio, stream, show, started))
    await _backdate(studio.db, stream, started, offsets)
    await studio.db.commit()
    return stream


async def _ensure_sale(studio: _Studio, stream: Stream) -> tuple[FlashSale | None, int]:
    """The live room's running sale, launching one when the last has ended; (sale, 1 if new)."""
    db = studio.db
    # The app's sweeper closes ended sales only while it runs; closing them here first puts the
    # last deal's unsold units back in stock before the next one takes its allocation.
    await _close_ended(studio)
    current = await db.scalar(
        select(FlashSale)
        .where(FlashSale.stream_id == stream.id, FlashSale.ends_at > sales.now())
        .order_by(FlashSale.id.desc())
        .limit(1)
    )
    product_id = studio.products[LIVE_SALE]
    on_shelf = product_id in {p.id for p in await streams.shelf(db, stream)}
    if current is not None or not on_shelf:  # a demo host may have taken it off the shelf
        await db.commit()
        return current, 0
    if stream.pinned_product_id != product_id:
        await streams.pin(db, stream, product_id)  # hosts pin the product, then start the deal
    launched = await _launch(studio, stream, product_id, LIVE_SALE_QUANTITY, LIVE_SALE_S)
    await db.commit()
    return (launched[0], 1) if launched else (None, 0)


async def _ensure_upcoming(studio: _Studio, show: Show) -> int:
    """The scheduled show, a day or so ahead; returns 1 if it was created."""
    soon = (_now() + timedelta(days=1, hours=3)).replace(minute=0, second=0)
    stream = await _find(studio, show)
    created = 0
    if stream is None:
        data = StreamIn(title=show.title, scheduled_at=soon)
        stream = await streams.create_stream(studio.db, studio.users[show.host], data)
        await _shelve(studio, stream, show)
        created = 1
    elif stream.status == StreamStatus.SCHEDULED and (stream.scheduled_at or soon) < _now() + timedelta(
        hours=1
    ):
        # A demo started days after the first seed should still have a show to look forward to.
        stream.scheduled_at = soon
    await studio.db.commit()
    return created
