"""One stream's analytics, during and after it: who may see them, and what is read.

**Who**: the shop that hosts the stream (and a creator host, through the JSON), and the brand whose
deal the stream is bound to; to anyone else the stream does not exist (404). The host sees every
line sold from its room. A brand sees only its own: its lines, the taps on its products, the joins
credited to its shop, and only its products' pins and sales in the tables (the markers stay: the
room showed every pin to everyone).

**What**: a fixed number of reads whatever the stream's size (its samples, chat counted per minute
by the database, the pin log, its flash sales and their sold holds, its paid lines, its engagement
rows, the pinned products' shops); `live.timeline` does the arithmetic. Money is GMV as on the
dashboard home (line total - refunded) of paid orders, in the viewer's currency.

**Views** of a pin or a sale are the average of the viewer samples taken during it (what the room
showed), beside the room joins in it (first visits of the day, from engagement events).
A sale's orders are the ones that paid its holds (the ledger's sold holds), whenever paid: a buyer
has the hold's minutes to pay, so counting by the sale's window would lose them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from live import analytics_reads as reads
from live import timeline
from live.analytics_reads import SaleRow, Scope
from live.models import Stream
from live.timeline import Timeline
from shop.accounts.models import Merchant, User
from shop.core import clock
from shop.core.errors import NotFound


def _scope(stream: Stream, shop: Merchant | None, user_id: int | None) -> Scope:
    if shop is not None and stream.merchant_id == shop.id:
        return Scope("host", None, shop.currency)
    if user_id is not None and stream.host_id == user_id:
        return Scope("host", None, None)
    if shop is not None and stream.deal is not None and stream.deal.merchant_id == shop.id:
        return Scope("brand", shop.id, shop.currency)
    raise NotFound("No such stream.")


async def for_shop(db: AsyncSession, shop: Merchant, stream_id: int) -> tuple[Stream, Scope]:
    stream = await db.get(Stream, stream_id)
    if stream is None:
        raise NotFound("No such stream.")
    return stream, _scope(stream, shop, None)


async def for_user(db: AsyncSession, user: User, stream_id: int) -> tuple[Stream, Scope]:
    stream = await db.get(Stream, stream_id)
    if stream is None:
        raise NotFound("No such stream.")
    return stream, _scope(stream, user.merchant, user.id)


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _when(at: datetime) -> dict[str, str]:
    return {"at": at.isoformat(), "label": at.strftime("%H:%M:%S")}


def _markers(pins: list[timeline.Pin], sales: list[SaleRow], minutes: list[int]) -> list[dict[str, Any]]:
    """Pins, and each sale's opening and (once past) its close; `index` is the chart's minute."""
    now = clock.now()
    found: list[tuple[datetime, str, int, str]] = [(p.start, "pin", p.product_id, p.name) for p in pins]
    for row in sales:
        found.append((row.sale.starts_at, "sale_start", row.product_id, f"Flash sale: {row.name}"))
        if row.sale.ends_at <= now:
            found.append((row.sale.ends_at, "sale_end", row.product_id, f"Flash sale: {row.name}"))
    first = minutes[0] if minutes else 0
    markers = []
    for at, kind, product_id, title in sorted(found, key=lambda m: m[0]):
        index = timeline.minute_of(at) - first
        inside = bool(minutes) and 0 <= index < len(minutes)
        marker = {"kind": kind, **_when(at), "product_id": product_id, "title": title}
        markers.append({**marker, "index": index if inside else None})
    return markers


def _figures(figures: dict[str, Any], currency: str) -> dict[str, Any]:
    return {**figures, "gmv": _money(figures["gmv"], currency)}


def _pin_rows(
    pins: list[timeline.Pin], line: Timeline, scope: Scope, shops: dict[int, int], currency: str
) -> list[dict[str, Any]]:
    rows = []
    for pin in pins:
        if scope.shop_id is not None and shops.get(pin.product_id) != scope.shop_id:
            continue  # another shop's product: not this brand's business
        figures = line.figures(pin.start, pin.end, pin.product_id)
        rows.append(
            {
                "product_id": pin.product_id,
                "name": pin.name,
                "from": _when(pin.start),
                "to": _when(pin.end),
                **_figures(figures, currency),
            }
        )
    return rows


def _sale_rows(
    sales: list[SaleRow],
    holds: list[tuple[int, int | None, int]],
    line: Timeline,
    scope: Scope,
    currency: str,
) -> list[dict[str, Any]]:
    rows = []
    for row in sales:
        sale = row.sale
        if scope.shop_id is not None and row.shop_id != scope.shop_id:
            continue
        paid = {order for sale_id, order, _ in holds if sale_id == sale.id and order is not None}
        bought = [s for s in line.sold if s.order_id in paid and s.variant_id == sale.variant_id]
        figures = line.figures(sale.starts_at, sale.ends_at, row.product_id)
        figures.update(
            orders=len({s.order_id for s in bought}),
            units=sum(s.units for s in bought),
            gmv=sum(s.gmv for s in bought),
        )
        rows.append(
            {
                "id": sale.id,
                "product_id": row.product_id,
                "name": row.name,
                "from": _when(sale.starts_at),
                "to": _when(sale.ends_at),
                "quantity": sale.quantity,
                "price": _money(sale.price_amount, sale.currency),
                "sold": sum(units for sale_id, _, units in holds if sale_id == sale.id),
                **_figures(figures, currency),
            }
        )
    return rows


async def report(db: AsyncSession, stream: Stream, scope: Scope) -> dict[str, Any]:
    """Everything the stream page and `GET /api/v1/streams/{id}/analytics` show, in one shape."""
    taken = await reads.samples(db, stream.id)
    chat = await reads.chat(db, stream.id)
    log = await reads.log(db, stream.id)
    sales = await reads.sales(db, stream.id)
    holds = await reads.sold_holds(db, [row.sale.id for row in sales])
    sold, currency = await reads.lines(db, stream.id, scope)
    joins, taps = await reads.visits(db, stream.id, scope)
    host = await db.get(User, stream.host_id)
    end = reads.stream_end(stream)
    pinned = timeline.pins(log, end)
    shops = await reads.shops_of(db, [p.product_id for p in pinned]) if scope.shop_id is not None else {}
    line = Timeline(taken, taps, joins, sold)
    found = timeline.buckets(timeline.likes_by_minute(taken), chat, sold)
    minutes = timeline.minute_range(stream.started_at, end, found)
    return {
        "stream": {
            "id": stream.id,
            "title": stream.title,
            "status": stream.status,
            "host": {"id": stream.host_id, "display_name": host.display_name if host else ""},
            "started_at": stream.started_at.isoformat() if stream.started_at else None,
            "ended_at": stream.ended_at.isoformat() if stream.ended_at else None,
            "deal_id": stream.deal_id,
        },
        "role": scope.role,
        "currency": currency,
        "views": "average of the viewer samples (every 10 s) taken during the interval",
        "summary": _figures(timeline.summary(taken, found, line), currency),
        "viewers": [{**_when(s.at), "viewers": s.viewers, "likes": s.likes} for s in taken],
        "minutes": [{**m, "gmv": _money(m["gmv"], currency)} for m in timeline.series(minutes, found)],
        "markers": _markers(pinned, sales, minutes),
        "pins": _pin_rows(pinned, line, scope, shops, currency),
        "sales": _sale_rows(sales, holds, line, scope, currency),
    }
