"""What the demo's shoppers buy, where from and when, and what happens to each order next.

Pure planning, from a seeded `random.Random`: `shop.demo.orders` loads the world (shoppers, shops,
the notes and rooms that show their products, the stock) and plays the steps through the services.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shop.demo.content import SHOPPERS, SHOPS, PersonSpec

# Orders per shop over the last DAYS; half through notes, a fifth from rooms, the rest direct.
ORDERS = {"GL": 28, "TC": 8, "TT": 6, "PD": 6}
DAYS = 30
# A variant is never bought below this: the live room's next flash sale takes its units from it.
KEEP_IN_STOCK = 8


@dataclass(frozen=True, slots=True)
class Way:
    """Where a purchase starts: a note tagging the shop's products, a room's shelf, or the shop."""

    kind: str  # note, stream or direct
    source_id: int | None
    shop: str  # the shop's code
    products: tuple[int, ...]
    since: datetime  # bought through from this moment: the note posted, the room on air
    author_id: int | None = None  # nobody buys through their own note


@dataclass(slots=True, eq=False)  # one purchase is itself, whatever it holds
class Buy:
    when: datetime
    shopper: PersonSpec
    way: Way
    lines: list[tuple[int, int, Way]]  # (variant id, quantity, where it was added from)
    order_id: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    when: datetime
    kind: str  # buy, ship or refund
    buy: Buy
    share: float = 1.0  # of the shop's lines, for a refund


@dataclass
class World:
    """What the plan draws from: user ids by email, shop ids by code, the ways in, the stock left
    ([variant id, units] by product)."""

    users: dict[str, int]
    shops: dict[str, int]
    ways: dict[str, list[Way]] = field(default_factory=lambda: defaultdict(list))
    stock: dict[int, list[list[int]]] = field(default_factory=lambda: defaultdict(list))


def plan(world: World, now: datetime) -> list[Step]:
    """Every step, in time order: the purchases, their parcels and the refunds (the same each run)."""
    rng = random.Random(7)
    return _steps(rng, _buys(rng, world, now), now)


def _buys(rng: random.Random, world: World, now: datetime) -> list[Buy]:
    """Each shop's ORDERS, oldest first. A shop without a note or room to buy through is bought
    from directly; a purchase with nothing left in stock to buy is dropped."""
    buys = []
    for shop in SHOPS:
        count = ORDERS[shop.code]
        kinds = ["note"] * round(count * 0.5) + ["stream"] * round(count * 0.2)
        kinds += ["direct"] * (count - len(kinds))
        # Shoppers mostly buy what they follow: three turns each for a shop of their themes.
        turns = [p for p in SHOPPERS for _ in range(3 if shop.theme in p.themes else 1)]
        rng.shuffle(turns)
        for kind, shopper in zip(rng.sample(kinds, count), itertools.cycle(turns), strict=False):
            when = _moment(rng, world, shop.code, kind, world.users[shopper.email], now)
            if when is not None and (lines := _lines(rng, world, when[1])):
                buys.append(Buy(when[0], shopper, when[1], lines))
    return sorted(buys, key=lambda b: b.when)


def _moment(
    rng: random.Random, world: World, code: str, kind: str, buyer_id: int, now: datetime
) -> tuple[datetime, Way] | None:
    """When, and through which note or room: any time since the first was posted or aired (a
    note's readers keep buying for weeks), through one that was there by then."""
    ways = [w for w in world.ways[code] if w.kind == kind and w.author_id != buyer_id]
    ways = ways or [w for w in world.ways[code] if w.kind == "direct"]
    start = max(min(w.since for w in ways), now - timedelta(days=DAYS)) + timedelta(minutes=5)
    end = now - timedelta(minutes=10)
    if start >= end:
        return None
    when = start + (end - start) * rng.random()
    return when, rng.choice([w for w in ways if w.since + timedelta(minutes=5) <= when])


def _lines(rng: random.Random, world: World, way: Way) -> list[tuple[int, int, Way]]:
    """One product from where the shopper came in, sometimes another straight from the shop."""
    first = rng.choice(way.products)
    picks = [(first, way)]
    direct = next(w for w in world.ways[way.shop] if w.kind == "direct")
    others = [p for p in direct.products if p != first]
    if others and rng.random() < 0.25:
        picks.append((rng.choice(others), direct))
    lines = []
    for product_id, source in picks:
        quantity = rng.choices((1, 2), (4, 1))[0]
        stocked = [v for v in world.stock[product_id] if v[1] - quantity >= KEEP_IN_STOCK]
        if stocked:
            variant = rng.choice(stocked)
            variant[1] -= quantity
            lines.append((variant[0], quantity, source))
    return lines


def _steps(rng: random.Random, buys: list[Buy], now: datetime) -> list[Step]:
    """Each purchase, its parcel within a day or so (unless that is still to come), and Glow Lab's
    refunds: an order in full before it ships, and two in part a day after they arrive, one of
    them bought last week (the dashboard's refunds card counts the orders paid in its period)."""
    ours = [b for b in buys if b.way.shop == "GL" and b.when < now - timedelta(days=4)]
    older = [b for b in ours if b.when < now - timedelta(days=8)]
    picked = rng.sample(older, min(2, len(older))) + rng.sample(
        [b for b in ours if b not in older], min(1, len(ours) - len(older))
    )
    cancelled, damaged = picked[:1], picked[1:]
    steps = []
    for buy in buys:
        steps.append(Step(buy.when, "buy", buy))
        if buy in cancelled:
            steps.append(Step(buy.when + timedelta(hours=rng.uniform(2, 20)), "refund", buy))
            continue
        shipped = buy.when + timedelta(hours=rng.uniform(6, 30))
        if shipped < now - timedelta(hours=1):
            steps.append(Step(shipped, "ship", buy))
        if buy in damaged:
            steps.append(Step(shipped + timedelta(hours=rng.uniform(12, 36)), "refund", buy, 0.35))
    return sorted(steps, key=lambda s: s.when)
