"""The demo's engagement: a month of note views, tag taps, product views, adds to cart and room
joins for each shop, so the dashboard's funnel and conversion card have something to show.

The benchmark's generator (`shop.analytics.bench.generate_events`) writes them as the tracking
endpoint records them (per-visitor caps, first-of-the-day flags), over the last 30 UTC days up to
now: the dashboard's 30-day window and the funnel's 30 dates. The app's own job (`roll_up`) then
folds them into the daily rollups the dashboard reads. A shop with events already (an earlier run,
or someone browsing the demo) gets none.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamProduct
from shop.accounts.models import Merchant, User
from shop.analytics.bench import generate_events
from shop.analytics.jobs import roll_up
from shop.analytics.models import EngagementEvent
from shop.catalog.models import Product
from shop.demo.content import SHOPS

DAYS = 30
# (events, visitors a day): few visitors for the events, so each comes in through several steps
# and the demo shoppers' purchases are a conversion a shop would recognise.
TRAFFIC = {"GL": (5_000, 30), "TC": (2_000, 15), "TT": (1_500, 12), "PD": (1_500, 12)}


async def seed_engagement(db: AsyncSession, say: Callable[[str], None]) -> int:
    """Write each quiet shop's month of events and roll them up; returns how many were written."""
    await db.commit()  # the generator writes in its own transactions
    started = time.perf_counter()
    written = 0
    for index, shop in enumerate(SHOPS):
        owned = select(Merchant.id).join(User, User.id == Merchant.owner_id)
        merchant_id = await db.scalar(owned.where(User.email == shop.email))
        if merchant_id is None or await _has_events(db, merchant_id):
            continue
        count, visitors = TRAFFIC[shop.code]
        rooms = await _rooms_showing(db, merchant_id)
        written += await generate_events(
            db, merchant_id, count, days=DAYS, visitors=visitors, stream_ids=rooms, seed=index
        )
    if not written:
        say("engagement events already present")
        return 0
    rolled = await roll_up(db)
    say(f"{written} engagement events, {rolled.events} rolled up, in {time.perf_counter() - started:.1f}s")
    return written


async def _has_events(db: AsyncSession, merchant_id: int) -> bool:
    stmt = select(EngagementEvent.id).where(EngagementEvent.merchant_id == merchant_id).limit(1)
    return await db.scalar(stmt) is not None


async def _rooms_showing(db: AsyncSession, merchant_id: int) -> list[int]:
    """Rooms that have been on air with one of the shop's products on the shelf."""
    stmt = (
        select(Stream.id)
        .join(StreamProduct, StreamProduct.stream_id == Stream.id)
        .join(Product, Product.id == StreamProduct.product_id)
        .where(Product.merchant_id == merchant_id, Stream.started_at.is_not(None))
        .distinct()
        .order_by(Stream.id)
    )
    return list((await db.scalars(stmt)).all())
