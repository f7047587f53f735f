"""A stream's analytics as arithmetic on rows already read: minute buckets and intervals.

Nothing here touches the database (`live.analytics` reads the rows), so every figure is a pure
function of its inputs:

- **likes per minute**: the likes total only grows, and each sample holds it; a sample adds its
  increase over the previous one to its own minute (the first sample adds its whole total, since
  the count starts at 0). A total that went down (counters rebuilt) adds nothing.
- **sales per minute**: the order's paid_at minute; an order counts once per minute however many
  of its lines there are.
- **an interval** [start, end) (a pin, a flash sale): average viewers of the samples taken in it,
  room joins and taps of the product made in it, the product's orders, units and GMV paid in it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

MAX_MINUTES = 24 * 60  # a stream left running for days is charted over its first day


class Sample(NamedTuple):
    at: datetime
    viewers: int
    likes: int


class Sold(NamedTuple):
    """The stream's lines of one product in one paid order."""

    order_id: int
    paid_at: datetime
    product_id: int
    variant_id: int
    units: int
    gmv: int


class Visit(NamedTuple):
    """An engagement event in the room: a join (no product) or a tap on a product."""

    at: datetime
    product_id: int | None


@dataclass
class Bucket:
    likes: int = 0
    chat: int = 0
    orders: set[int] = field(default_factory=set)
    units: int = 0
    gmv: int = 0


def minute_of(at: datetime) -> int:
    return int(at.timestamp()) // 60


def minute_at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def likes_by_minute(samples: Sequence[Sample]) -> dict[int, int]:
    found: dict[int, int] = {}
    previous = 0
    for s in samples:
        if s.likes > previous:
            found[minute_of(s.at)] = found.get(minute_of(s.at), 0) + s.likes - previous
        previous = s.likes
    return found


def buckets(likes: dict[int, int], chat: dict[int, int], sold: Iterable[Sold]) -> dict[int, Bucket]:
    found: dict[int, Bucket] = {}
    for minute, count in likes.items():
        found.setdefault(minute, Bucket()).likes = count
    for minute, count in chat.items():
        found.setdefault(minute, Bucket()).chat = count
    for line in sold:
        bucket = found.setdefault(minute_of(line.paid_at), Bucket())
        bucket.orders.add(line.order_id)
        bucket.units += line.units
        bucket.gmv += line.gmv
    return found


def minute_range(start: datetime | None, end: datetime | None, found: dict[int, Bucket]) -> list[int]:
    """Every minute from the stream's start (or its first figure) to its end (or its last figure),
    at most MAX_MINUTES of them; a stream that never started and sold nothing has none."""
    firsts = [minute_of(start)] if start else []
    lasts = [minute_of(end)] if end else []
    if found:
        firsts.append(min(found))
        lasts.append(max(found))
    if not firsts:
        return []
    first = min(firsts)
    last = min(max([*lasts, first]), first + MAX_MINUTES - 1)
    return list(range(first, last + 1))


def series(minutes: list[int], found: dict[int, Bucket]) -> list[dict[str, Any]]:
    empty = Bucket()
    rows = []
    for minute in minutes:
        b = found.get(minute, empty)
        at = minute_at(minute)
        rows.append(
            {
                "at": at.isoformat(),
                "label": at.strftime("%H:%M"),
                "likes": b.likes,
                "chat": b.chat,
                "orders": len(b.orders),
                "units": b.units,
                "gmv": b.gmv,
            }
        )
    return rows


def _between(keys: Sequence[datetime], start: datetime, end: datetime) -> range:
    return range(bisect_left(keys, start), bisect_left(keys, end))


class Timeline:
    """The stream's rows sorted by time once, so each interval is two binary searches away."""

    def __init__(
        self, samples: Sequence[Sample], visits: Sequence[Visit], joins: Sequence[Visit], sold: Sequence[Sold]
    ):
        self.samples = sorted(samples)
        self.taps = sorted(visits, key=lambda v: v.at)
        self.joins = sorted(joins, key=lambda v: v.at)
        self.sold = sorted(sold, key=lambda s: s.paid_at)
        self._sample_at = [s.at for s in self.samples]
        self._tap_at = [v.at for v in self.taps]
        self._join_at = [v.at for v in self.joins]
        self._sold_at = [s.paid_at for s in self.sold]

    def viewers(self, start: datetime, end: datetime) -> float | None:
        """Average viewers of the samples taken in [start, end); None when none was taken."""
        taken = [self.samples[i].viewers for i in _between(self._sample_at, start, end)]
        return round(sum(taken) / len(taken), 1) if taken else None

    def figures(self, start: datetime, end: datetime, product_id: int) -> dict[str, Any]:
        lines = [self.sold[i] for i in _between(self._sold_at, start, end)]
        mine = [s for s in lines if s.product_id == product_id]
        taps = [self.taps[i] for i in _between(self._tap_at, start, end)]
        return {
            "avg_viewers": self.viewers(start, end),
            "joins": len(_between(self._join_at, start, end)),
            "taps": sum(1 for v in taps if v.product_id == product_id),
            "orders": len({s.order_id for s in mine}),
            "units": sum(s.units for s in mine),
            "gmv": sum(s.gmv for s in mine),
        }


def summary(samples: Sequence[Sample], found: dict[int, Bucket], timeline: Timeline) -> dict[str, Any]:
    """Totals over everything read, charted or not (a sale paid long after the end counts too)."""
    viewers = [s.viewers for s in samples]
    return {
        "peak_viewers": max(viewers, default=0),
        "avg_viewers": round(sum(viewers) / len(viewers), 1) if viewers else 0,
        "likes": sum(b.likes for b in found.values()),
        "chat": sum(b.chat for b in found.values()),
        "joins": len(timeline.joins),
        "taps": len(timeline.taps),
        "orders": len({s.order_id for s in timeline.sold}),
        "units": sum(s.units for s in timeline.sold),
        "gmv": sum(s.gmv for s in timeline.sold),
    }


class Pin(NamedTuple):
    start: datetime
    end: datetime
    product_id: int
    name: str


def pins(log: Sequence[tuple[datetime, str, dict[str, Any]]], end: datetime | None) -> list[Pin]:
    """Each pin lasts until the next pin or unpin, or the stream's end (now, while it runs)."""
    found: list[Pin] = []
    current: Pin | None = None
    for at, kind, payload in log:
        if current is not None:
            found.append(current._replace(end=at))
            current = None
        product = payload.get("product") or {}
        if kind == "pin" and "id" in product:
            current = Pin(at, at, int(product["id"]), str(product.get("name", "")))
    if current is not None:
        found.append(current._replace(end=max(end or current.start, current.start)))
    return found
