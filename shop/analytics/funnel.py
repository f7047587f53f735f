"""The note funnel a merchant sees, read from the daily rollups (never from raw events).

    note views ──▶ tag taps ──▶ product views ──▶ add to cart ──▶ paid

It follows notes: every step counts only what came from a note (events carrying a note id; order
lines whose source is a note), the shop's own rows, in whole UTC days: `today` is today's UTC
date, `7d` the last seven UTC dates including today, `30d` the last thirty. Steps are counts of
events within the per-visitor caps (a view counts once per visitor, note and day); `paid` is the
number of orders paid in those days with at least one of the shop's lines from a note (that note,
for a note's funnel). A note nobody viewed gives zeros; nothing here divides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.analytics.models import EngagementDaily, EventType
from shop.catalog.models import Product
from shop.core import clock
from shop.core.errors import NotFound
from shop.dashboard.models import SalesHour
from shop.dashboard.sales import ANY_NOTE
from shop.notes.models import Note, NoteImage, ProductTag, published

PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}
STEPS = (
    ("note_views", EventType.NOTE_VIEW),
    ("tag_taps", EventType.TAG_TAP),
    ("product_views", EventType.PRODUCT_VIEW),
    ("add_to_cart", EventType.ADD_TO_CART),
)


def days_of(period: str, today: date | None = None) -> tuple[date, date]:
    """(first, last) UTC dates of the period, both included."""
    last = today or clock.now().date()
    return last - timedelta(days=PERIOD_DAYS[period] - 1), last


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def ensure_note_of_shop(db: AsyncSession, shop: Merchant, note_id: int) -> None:
    """A note is the shop's to analyse when its owner wrote it, when it is published and tags one
    of the shop's products, or when the rollups already hold its events for the shop; else 404."""
    tags_ours = (
        select(ProductTag.id)
        .join(NoteImage, NoteImage.id == ProductTag.note_image_id)
        .join(Product, Product.id == ProductTag.product_id)
        .where(NoteImage.note_id == Note.id, Product.merchant_id == shop.id)
    )
    rolled = select(EngagementDaily.id).where(
        EngagementDaily.merchant_id == shop.id, EngagementDaily.note_id == Note.id
    )
    stmt = select(Note.id).where(
        Note.id == note_id,
        or_(Note.author_id == shop.owner_id, published() & exists(tags_ours), exists(rolled)),
    )
    if await db.scalar(stmt) is None:
        raise NotFound("No such note.")


async def _engagement(
    db: AsyncSession, shop_id: int, first: date, last: date, note_id: int | None
) -> dict[str, int]:
    d = EngagementDaily
    stmt = (
        select(d.type, func.sum(d.count))
        .where(
            d.merchant_id == shop_id,
            d.day >= first,
            d.day <= last,
            d.type.in_([t.value for _, t in STEPS]),
            d.note_id == note_id if note_id else d.note_id != 0,
        )
        .group_by(d.type)
    )
    return {kind: int(total or 0) for kind, total in (await db.execute(stmt)).all()}


async def paid_orders(db: AsyncSession, shop_id: int, first: date, last: date, note_id: int | None) -> int:
    """Orders paid in [first, last] (UTC days) with one of the shop's lines sourced from a note
    (that note, for a note's funnel), from the hourly sales rollups: an order counts once per row."""
    rows = SalesHour
    one_note = (rows.dimension == "note") & (rows.source_id == note_id)
    which = one_note if note_id else rows.dimension == ANY_NOTE
    stmt = select(func.coalesce(func.sum(rows.orders), 0)).where(
        rows.merchant_id == shop_id,
        which,
        rows.hour >= _midnight(first),
        rows.hour < _midnight(last + timedelta(days=1)),
    )
    return int(await db.scalar(stmt) or 0)


async def funnel(
    db: AsyncSession, shop: Merchant, period: str, note_id: int | None = None
) -> tuple[date, date, list[tuple[str, int]]]:
    """(first day, last day, [(step, count)…]) for the shop, or for one of its notes."""
    if note_id is not None:
        await ensure_note_of_shop(db, shop, note_id)
    first, last = days_of(period)
    counts = await _engagement(db, shop.id, first, last, note_id)
    steps = [(name, counts.get(kind, 0)) for name, kind in STEPS]
    steps.append(("paid", await paid_orders(db, shop.id, first, last, note_id)))
    return first, last, steps


async def shop_visitors(db: AsyncSession, shop_id: int, first: date, last: date) -> int:
    """Distinct visitors of the shop per UTC day, summed over [first, last] (the conversion card's
    denominator). A visitor of two days counts twice: their hashes cannot be joined across days."""
    d = EngagementDaily
    stmt = select(func.coalesce(func.sum(d.shop_visitors), 0)).where(
        d.merchant_id == shop_id, d.day >= first, d.day <= last
    )
    return int(await db.scalar(stmt) or 0)
