"""Recording engagement events: throttle, resolve, cap, then one INSERT for the batch.

A batch goes through four gates, and only what passes all of them is written:

    1. the schema: at most 50 events, known types, bounded ids          (422 otherwise)
    2. the rate limit: per visitor and per client address, per minute   (429 otherwise)
    3. resolve: the objects exist, are public and fit the type          (else dropped)
    4. the caps: per (visitor, UTC day, type, object), `models.CAPS`    (the excess is dropped)

The caps are atomic counters (`shop.core.ratelimit`: Redis INCR when REDIS_URL is set, so every
worker shares them), hit before the INSERT: a request that fails after them has used up its
visitor's allowance rather than inflated anything. A bot replaying one session's events adds
nothing past the caps; a fresh session is a fresh visitor, and the rate limit bounds those.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shop.analytics import resolve
from shop.analytics.models import CAPS, EngagementEvent
from shop.analytics.schemas import EventIn
from shop.analytics.visitors import visitor_hash
from shop.core import clock
from shop.core.errors import RateLimited
from shop.core.ratelimit import AttemptCounter

WINDOW_S = 60
BATCHES_PER_VISITOR = 30  # a page flushes every few seconds: ~12 a minute, a few tabs at most
BATCHES_PER_ADDRESS = 600  # many people behind one NAT; a single script is stopped much sooner


async def _throttle(attempts: AttemptCounter, visitor: str, address: str) -> None:
    per_visitor, per_address = await attempts.hit_many(
        [f"events:v:{visitor}", f"events:a:{address}"], WINDOW_S
    )
    if per_visitor > BATCHES_PER_VISITOR or per_address > BATCHES_PER_ADDRESS:
        raise RateLimited("Too many events. Try again in a minute.", retry_after=WINDOW_S)


def _until_tomorrow(now: datetime) -> int:
    """Seconds until the cap counters of today can go (a little after UTC midnight)."""
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
    return int((midnight - now).total_seconds()) + 300


def _cap_key(day: date, visitor: str, event: EventIn) -> str:
    ids = f"{event.note_id or 0}:{event.product_id or 0}:{event.stream_id or 0}"
    return f"ev:{day.isoformat()}:{visitor}:{event.type}:{ids}"


async def _capped(
    attempts: AttemptCounter, visitor: str, now: datetime, fitting: list[tuple[EventIn, list[int]]]
) -> tuple[list[dict[str, Any]], int]:
    """(rows, events kept) for the events within their caps. Each row says whether it is the
    visitor's first of the day for its object and in its shop: distinct visitors become a sum."""
    day, window = now.date(), _until_tomorrow(now)
    counts = await attempts.hit_many([_cap_key(day, visitor, e) for e, _ in fitting], window)
    kept = [(e, shops, n == 1) for (e, shops), n in zip(fitting, counts, strict=True) if n <= CAPS[e.type]]
    pairs = [(e, shop, first) for e, shops, first in kept for shop in shops]
    shop_keys = [f"ev:{day.isoformat()}:{visitor}:shop:{shop}" for _, shop, _ in pairs]
    in_shop = await attempts.hit_many(shop_keys, window)
    return [
        {
            "type": e.type.value,
            "merchant_id": shop,
            "note_id": e.note_id,
            "stream_id": e.stream_id,
            "product_id": e.product_id,
            "visitor": visitor,
            "new_visitor": first,
            "new_in_shop": n == 1,
            "day": day,
            "occurred_at": now,
        }
        for (e, shop, first), n in zip(pairs, in_shop, strict=True)
    ], len(kept)


async def record(
    db: AsyncSession,
    attempts: AttemptCounter,
    events: Sequence[EventIn],
    *,
    identity: str,
    address: str,
    signing_key: str,
) -> tuple[int, int]:
    """Write what counts of a batch; (accepted, dropped) in events as sent (a view of a note that
    tags two shops' products is one accepted event and two rows)."""
    now = clock.now()
    visitor = visitor_hash(signing_key, now.date(), identity)
    # The address only keys a minute's throttle, and hashed: it is never written anywhere.
    await _throttle(attempts, visitor, visitor_hash(signing_key, now.date(), f"a:{address}"))
    known = await resolve.load(db, events)
    fitting = [(e, shops) for e in events if (shops := resolve.shops_for(e, known))]
    rows, accepted = await _capped(attempts, visitor, now, fitting)
    if rows:
        await db.execute(insert(EngagementEvent), rows)
    return accepted, len(events) - accepted
