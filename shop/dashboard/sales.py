"""Keeping the sales rollups (`models.py`): an order's lines go in when it is paid, its refunds as
they succeed.

Listens to orders' `paid` (after the commission ledger, which credits the creator) and `refunded`.
Each event is one multi-row upsert (`ON CONFLICT DO UPDATE SET paid = paid + excluded.paid`), its
rows in key order, so two transactions never wait on each other's rows in opposite orders.
`rebuild` recomputes the rows from the orders themselves: the migration's backfill, the
benchmark's bulk-seeded orders, and the test that holds the listener to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from payments.models import Refund
from shop.dashboard.models import SalesBuyer, SalesHour
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Order
from shop.orders.states import PAID_STATES

SLOTS = 4
SOURCES = ("note", "stream", "direct")
ANY_NOTE = "notes"  # the lines from any note of the order, one row: the funnel's paid orders
KEY = ("merchant_id", "dimension", "hour", "currency", "source_id", "creator_id", "slot")
Key = tuple[int, str, datetime, str, int, int, int]
Buyer = tuple[int, date, int]  # shop, UTC day, shopper
UNSETTLED = ("pending", "sending")  # refunds reserved on the lines that Stripe has not confirmed
CHUNK = 500  # rows per statement: under SQLite's bound-parameter limit


@dataclass
class Delta:
    paid: int = 0
    refunded: int = 0
    orders: int = 0
    deal_id: int = 0


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _line_keys(line: Any, hour: datetime, slot: int) -> list[Key]:
    shop, currency = line.merchant_id, line.currency
    source = line.source_type if line.source_type in SOURCES else "direct"
    keys: list[Key] = [
        (shop, "shop", hour, currency, 0, 0, slot),
        (shop, source, hour, currency, line.source_id or 0, 0, slot),
    ]
    if source == "note":
        keys.append((shop, ANY_NOTE, hour, currency, 0, 0, slot))
    if line.creator_id:
        keys.append((shop, "creator", hour, currency, 0, line.creator_id, slot))
    return keys


def order_deltas(order: Any, refunded: dict[int, int] | None = None) -> dict[Key, Delta]:
    """What a paid order adds: its lines' totals, once each order per row, and `refunded`
    ({line id: amount}) on top (a rebuild passes the refunds that have succeeded)."""
    assert order.paid_at is not None
    hour, slot = hour_of(order.paid_at), order.id % SLOTS
    deltas: dict[Key, Delta] = {}
    for line in order.lines:
        for key in _line_keys(line, hour, slot):
            delta = deltas.setdefault(key, Delta(orders=1))
            delta.paid += line.total_amount
            delta.refunded += (refunded or {}).get(line.id, 0)
            delta.deal_id = max(delta.deal_id, line.deal_id or 0)
    return deltas


def refund_deltas(order: Order, amounts: dict[int, int]) -> dict[Key, Delta]:
    assert order.paid_at is not None
    hour, slot = hour_of(order.paid_at), order.id % SLOTS
    deltas: dict[Key, Delta] = {}
    for line in order.lines:
        for key in _line_keys(line, hour, slot) if amounts.get(line.id) else []:
            deltas.setdefault(key, Delta()).refunded += amounts[line.id]
    return deltas


def _dialect(db: AsyncSession) -> Any:
    return postgresql if db.get_bind().dialect.name == "postgresql" else sqlite


async def add(db: AsyncSession, deltas: dict[Key, Delta]) -> None:
    """Add the deltas to their rows (made at 0 when missing), in key order, a chunk at a time."""
    keys = sorted(deltas)
    for start in range(0, len(keys), CHUNK):
        rows = [{**dict(zip(KEY, k, strict=True)), **vars(deltas[k])} for k in keys[start : start + CHUNK]]
        stmt = _dialect(db).insert(SalesHour).values(rows)
        new, row = stmt.excluded, SalesHour
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=list(KEY),
                set_={
                    "paid": row.paid + new.paid,
                    "refunded": row.refunded + new.refunded,
                    "orders": row.orders + new.orders,
                    "deal_id": case((new.deal_id > row.deal_id, new.deal_id), else_=row.deal_id),
                },
            )
        )


async def _add_buyers(db: AsyncSession, buyers: set[Buyer]) -> None:
    keys = sorted(buyers)
    for start in range(0, len(keys), CHUNK):
        rows = [{"merchant_id": m, "day": d, "user_id": u} for m, d, u in keys[start : start + CHUNK]]
        await db.execute(_dialect(db).insert(SalesBuyer).values(rows).on_conflict_do_nothing())


def listen_to_orders(events: OrderEvents) -> None:
    async def paid(db: AsyncSession, news: OrderNews) -> None:
        await add(db, order_deltas(news.order))
        await _add_buyers(db, buyers_of([news.order]))

    async def refunded(db: AsyncSession, news: OrderNews) -> None:
        if news.order.paid_at is not None:  # never paid (refunded on arrival): never counted
            await add(db, refund_deltas(news.order, news.lines))

    events.on(OrderEvent.PAID, "dashboard_sales", paid)
    events.on(OrderEvent.REFUNDED, "dashboard_sales", refunded)


def aggregate(orders: Iterable[Any], refunded: dict[int, int]) -> tuple[dict[Key, Delta], set[Buyer]]:
    """The rows a set of paid orders make (`refunded`: {line id: amount Stripe confirmed}), and
    their buyers. Orders and lines need only the attributes the ORM's have (the migration's
    backfill passes plain rows)."""
    deltas: dict[Key, Delta] = {}
    for order in orders:
        for key, delta in order_deltas(order, refunded).items():
            _merge(deltas.setdefault(key, Delta()), delta)
    return deltas, buyers_of(orders)


def buyers_of(orders: Iterable[Any]) -> set[Buyer]:
    return {
        (line.merchant_id, day_of(order.paid_at), order.user_id)
        for order in orders
        if order.paid_at is not None
        for line in order.lines
    }


async def rebuild(db: AsyncSession, batch: int = 2_000) -> int:
    """Recompute every row from the paid orders and their confirmed refunds; returns the orders.
    The rows are added up here over all orders (a few per shop and hour), then written at once."""
    await db.execute(delete(SalesHour))
    await db.execute(delete(SalesBuyer))
    deltas: dict[Key, Delta] = {}
    buyers: set[Buyer] = set()
    last, done = 0, 0
    while orders := await _paid_orders(db, last, batch):
        unsettled = await _unsettled_refunds(db, [o.id for o in orders])
        lines = [line for order in orders for line in order.lines]
        confirmed = {ln.id: ln.refunded_amount - unsettled.get(ln.id, 0) for ln in lines}
        more, more_buyers = aggregate(orders, confirmed)
        for key, delta in more.items():
            _merge(deltas.setdefault(key, Delta()), delta)
        buyers |= more_buyers
        last, done = orders[-1].id, done + len(orders)
        db.expunge_all()  # read-only here: a growing identity map makes every autoflush slower
    rows = [{**dict(zip(KEY, key, strict=True)), **vars(delta)} for key, delta in deltas.items()]
    if rows:
        await db.execute(insert(SalesHour), rows)  # emptied above: no conflicts, one executemany
    if buyers:
        await db.execute(
            insert(SalesBuyer), [{"merchant_id": m, "day": d, "user_id": u} for m, d, u in buyers]
        )
    return done


async def _paid_orders(db: AsyncSession, after: int, batch: int) -> list[Order]:
    stmt = (
        select(Order)
        .where(Order.id > after, Order.paid_at.is_not(None), Order.status.in_(PAID_STATES))
        .options(selectinload(Order.lines))
        .order_by(Order.id)
        .limit(batch)
    )
    return list((await db.scalars(stmt)).all())


def _merge(into: Delta, delta: Delta) -> None:
    into.paid += delta.paid
    into.refunded += delta.refunded
    into.orders += delta.orders
    into.deal_id = max(into.deal_id, delta.deal_id)


async def _unsettled_refunds(db: AsyncSession, order_ids: list[int]) -> dict[int, int]:
    """{line id: amount} reserved by refunds Stripe has not confirmed yet."""
    stmt = select(Refund.lines).where(Refund.order_id.in_(order_ids), Refund.status.in_(UNSETTLED))
    reserved: dict[int, int] = {}
    for lines in (await db.scalars(stmt)).all():
        for line_id, amount in (lines or {}).items():
            reserved[int(line_id)] = reserved.get(int(line_id), 0) + int(amount)
    return reserved


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
