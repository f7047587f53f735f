"""What happens to an order, announced to whoever listens: `paid`, `refunded`, `fulfilled`.

::

    settlement ──(guards: may this order be delivered?)──▶ paid ──▶ refunded* ──▶ fulfilled
                   a flash-sale hold that expired says no          (any number of refunds)
                   → the order is refunded in full instead

One `OrderEvents` is built in `create_app` and injected, so two apps in one process never share
listeners. Listeners run inside the transaction that made the event true: their DB writes commit
or roll back with it. Anything outside the DB (Redis, Stripe, the channels) they queue with
`shop.core.db.after_commit`, so it happens only once the event is durable.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders.models import Order


class OrderEvent(enum.StrEnum):
    PAID = "paid"
    REFUNDED = "refunded"
    FULFILLED = "fulfilled"


@dataclass(frozen=True)
class OrderNews:
    """One event: the order, and for refunds the amount per line (`{order_line_id: minor units}`)."""

    kind: OrderEvent
    order: Order
    amount: int = 0
    lines: dict[int, int] = field(default_factory=dict)
    refund_id: int | None = None
    fulfilment_id: int | None = None
    actor_id: int | None = None


Guard = Callable[[AsyncSession, Order], Awaitable[bool]]
Listener = Callable[[AsyncSession, OrderNews], Awaitable[Any]]


class OrderEvents:
    def __init__(self) -> None:
        self._guards: dict[str, Guard] = {}
        self._listeners: dict[OrderEvent, dict[str, Listener]] = defaultdict(dict)

    def guard_delivery(self, name: str, guard: Guard) -> None:
        """`guard` runs as an order is about to become paid; False: it cannot be delivered."""
        self._guards[name] = guard

    def on(self, kind: OrderEvent, name: str, listener: Listener) -> None:
        self._listeners[kind][name] = listener  # by name: registering again replaces, never stacks

    async def can_deliver(self, db: AsyncSession, order: Order) -> bool:
        results = [await guard(db, order) for guard in self._guards.values()]
        return all(results)

    async def announce(self, db: AsyncSession, news: OrderNews) -> None:
        for listener in self._listeners[news.kind].values():
            await listener(db, news)
