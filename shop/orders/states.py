"""The order state machine. Every status change goes through `move`; anything else is a bug.

::

                     payment succeeded
    pending_payment ───────────────────▶ paid ───── fulfil ─────▶ fulfilled
          │                               │ ╲                        │
          │ declined for good,            │  ╲ partial refund        │ refund
          │ cancelled, or hold expired    │   ▼                      ▼
          ▼                      refund   │  partially_refunded ──▶ refunded
       canceled                           ▼        (more refunds)
          │  payment succeeded late:   refunded
          ├── stock still there ──────▶ paid
          └── stock sold meanwhile ───▶ refunded   (automatic full refund, reason recorded)

A paid order is never moved back to pending_payment or canceled: webhooks that arrive late or out
of order can only move an order forward.

One way leads back, and only through `refund_refused`: a refund is reserved on the order before
Stripe is asked, so when Stripe refuses it the amount is given back::

    partially_refunded ─┐                 ┌▶ fulfilled (it had shipped, and every line still has
    refunded           ─┼─refund refused──┤               shipped or is refunded in full)
    fulfilled          ─┘                 ├▶ paid (nothing refunded any more)
                                          └▶ partially_refunded
"""

from __future__ import annotations

from shop.core.errors import Conflict
from shop.core.i18n import N_
from shop.core.labels import status_text
from shop.orders.models import Order, OrderStatus

S = OrderStatus
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELED, S.REFUNDED}),
    S.CANCELED: frozenset({S.PAID, S.REFUNDED}),
    S.PAID: frozenset({S.FULFILLED, S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED, S.FULFILLED}),
    S.FULFILLED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
}
PAID_STATES = frozenset({S.PAID, S.FULFILLED, S.PARTIALLY_REFUNDED, S.REFUNDED})


def can_move(order: Order, target: OrderStatus) -> bool:
    return target in ALLOWED[OrderStatus(order.status)]


def move(order: Order, target: OrderStatus, reason: str = "") -> None:
    if not can_move(order, target):
        raise Conflict(
            N_(
                "An order that is %(status)s cannot become %(target)s.",
                status=status_text(order.status),
                target=status_text(target.value),
            ),
            fields={"status": order.status},
        )
    order.status = target.value
    if reason:
        order.status_reason = reason[:200]


REFUSED_REFUND: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PARTIALLY_REFUNDED: frozenset({S.PAID, S.PARTIALLY_REFUNDED, S.FULFILLED}),
    S.REFUNDED: frozenset({S.PAID, S.PARTIALLY_REFUNDED, S.FULFILLED}),
    S.FULFILLED: frozenset({S.PAID, S.PARTIALLY_REFUNDED, S.FULFILLED}),
}


def refund_refused(order: Order, reason: str, *, all_lines_done: bool) -> None:
    """Give a refused refund's amount back (the caller has lowered `refunded_amount` already).

    `all_lines_done`: every line has shipped or is still refunded in full (so nothing is left to ship).
    """
    if order.fulfilled_at is not None and all_lines_done:
        target = S.FULFILLED
    else:
        target = S.PAID if order.refunded_amount == 0 else S.PARTIALLY_REFUNDED
    if target not in REFUSED_REFUND.get(OrderStatus(order.status), frozenset()):
        raise Conflict(
            N_("An order that is %(status)s has no refund to give back.", status=status_text(order.status))
        )
    order.status = target.value
    order.status_reason = reason[:200]


def status_after_refund(order: Order) -> OrderStatus:
    return S.REFUNDED if order.refunded_amount >= order.total_amount else S.PARTIALLY_REFUNDED
