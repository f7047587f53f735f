"""Synthetic engagement for benchmarks (`scripts/bench_dashboard`): many events, written fast.

Not reachable over HTTP and not used by the app. The events look like real traffic to the rollup
and the dashboard: the shop's products and the published notes that tag them, a funnel-like mix
of types, visitors that come back within a day, the caps respected and the first-of-the-day flags
set as `services.record` would set them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shop.analytics.jobs import SessionFactory, session_factory
from shop.analytics.models import CAPS, EngagementEvent, EventType
from shop.catalog.models import Product
from shop.core import clock
from shop.notes.models import Note, NoteImage, ProductTag, published

# (type, weight): views outnumber taps, taps outnumber adds.
MIX = (
    (EventType.NOTE_VIEW, 45),
    (EventType.TAG_TAP, 20),
    (EventType.PRODUCT_VIEW, 20),
    (EventType.ADD_TO_CART, 7),
    (EventType.ROOM_JOIN, 8),
)


async def _catalogue(sessions: SessionFactory, merchant_id: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The shop's active products, and (note, product) pairs of published notes tagging them."""
    async with sessions() as db:
        products = list(
            (
                await db.scalars(
                    select(Product.id).where(Product.merchant_id == merchant_id, Product.is_active.is_(True))
                )
            ).all()
        )
        pairs = (
            select(NoteImage.note_id, ProductTag.product_id)
            .join(ProductTag, ProductTag.note_image_id == NoteImage.id)
            .join(Note, Note.id == NoteImage.note_id)
            .join(Product, Product.id == ProductTag.product_id)
            .where(Product.merchant_id == merchant_id, published())
            .limit(5000)
        )
        return products, [(note, product) for note, product in (await db.execute(pairs)).all()]


class _Day:
    """One UTC day of traffic: the caps' counters and who has been seen, as `services.record` keeps them."""

    def __init__(self, day: date, now: datetime) -> None:
        self.day, self.now = day, now
        self.midnight = datetime.combine(day, time.min, tzinfo=UTC)
        self.objects: dict[tuple[Any, ...], int] = {}
        self.in_shop: set[str] = set()

    def row(
        self, merchant_id: int, visitor: str, kind: EventType, ids: dict[str, int | None], second: int
    ) -> Any:
        key = (visitor, kind, ids["note_id"], ids["product_id"], ids["stream_id"])
        seen = self.objects.get(key, 0)
        if seen >= CAPS[kind]:
            return None
        self.objects[key] = seen + 1
        new_in_shop = visitor not in self.in_shop
        self.in_shop.add(visitor)
        return {
            "type": kind.value,
            "merchant_id": merchant_id,
            **ids,
            "visitor": visitor,
            "new_visitor": seen == 0,
            "new_in_shop": new_in_shop,
            "day": self.day,
            "occurred_at": min(self.now, self.midnight + timedelta(seconds=second)),
        }


def _ids(
    rng: random.Random,
    kind: EventType,
    products: list[int],
    pairs: list[tuple[int, int]],
    stream_ids: Sequence[int],
) -> dict[str, int | None]:
    ids: dict[str, int | None] = {"note_id": None, "product_id": None, "stream_id": None}
    if kind == EventType.ROOM_JOIN:
        ids["stream_id"] = rng.choice(stream_ids)
    elif kind in (EventType.NOTE_VIEW, EventType.TAG_TAP) or (pairs and rng.random() < 0.7):
        note, product = rng.choice(pairs)
        ids["note_id"] = note
        ids["product_id"] = None if kind == EventType.NOTE_VIEW else product
    else:
        ids["product_id"] = rng.choice(products)
    return ids


async def generate_events(
    db: SessionFactory | AsyncEngine | AsyncSession,
    merchant_id: int,
    count: int,
    *,
    days: int = 30,
    visitors: int = 50_000,
    stream_ids: Sequence[int] = (),
    chunk: int = 10_000,
    seed: int = 12,
) -> int:
    """Insert about `count` events for the shop, spread evenly over the last `days` UTC days (oldest
    first, so ids follow time), with `executemany` in transactions of `chunk` rows. Returns how
    many were written: draws over a cap are skipped, as the endpoint would drop them.

    `db`: a sessionmaker, an engine, or a session whose engine is used. Needs at least one active
    product of the shop; notes tagging them give the note events, `stream_ids` the room joins."""
    sessions = session_factory(db)
    products, pairs = await _catalogue(sessions, merchant_id)
    if not products:
        raise ValueError(f"shop {merchant_id} has no active product to generate events for")
    kinds = [(k, w) for k, w in MIX if (pairs or k not in (EventType.NOTE_VIEW, EventType.TAG_TAP))]
    kinds = [(k, w) for k, w in kinds if stream_ids or k != EventType.ROOM_JOIN]
    rng, now = random.Random(seed), clock.now()
    written, rows = 0, []
    for offset in range(days - 1, -1, -1):
        traffic = _Day(now.date() - timedelta(days=offset), now)
        for i in range(count // days + (1 if offset < count % days else 0)):
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            visitor = f"{traffic.day.toordinal():08x}{rng.randrange(visitors):024x}"
            second = min(86_399, i * 86_400 // max(1, count // days))
            row = traffic.row(
                merchant_id, visitor, kind, _ids(rng, kind, products, pairs, stream_ids), second
            )
            if row is not None:
                rows.append(row)
            if len(rows) >= chunk:
                written += await _write(sessions, rows)
                rows = []
    return written + (await _write(sessions, rows) if rows else 0)


async def _write(sessions: SessionFactory, rows: list[dict[str, Any]]) -> int:
    async with sessions() as session, session.begin():
        # Core, not the ORM's bulk path: a plain executemany with nothing fetched back.
        await session.execute(insert(cast(Table, EngagementEvent.__table__)), rows)
    return len(rows)
