"""Shipping: a merchant records a parcel (carrier, tracking number) for some of its lines of a paid order.

The order row is locked first (as refunds lock it), so a fulfilment and a refund of the same order
never interleave; `fulfilment_lines.order_line_id` is unique, so a line ships once even if two
requests race past the checks. When every line has shipped (or was refunded in full, so will never
ship) the order moves to `fulfilled` through the state machine, and each parcel is announced.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core import clock
from shop.core.errors import Conflict, NotFound
from shop.core.i18n import N_
from shop.core.labels import status_text
from shop.inventory.locks import lock_order
from shop.orders import states
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Fulfilment, FulfilmentLine, Order, OrderLine, OrderStatus
from shop.orders.schemas import FulfilmentIn

# A parcel can leave once the order is paid; a fully refunded order has nothing left to send. A
# fulfilled one is let through so that sending a line again says "already shipped", which it is.
SHIPPABLE = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.FULFILLED})


class NotShippable(Conflict):
    code = "not_shippable"
    default_message = N_("This order cannot ship.")


class AlreadyShipped(Conflict):
    code = "already_shipped"
    default_message = N_("Some of these lines have shipped already.")


async def fulfil(
    db: AsyncSession, events: OrderEvents, merchant: Merchant, order_id: int, data: FulfilmentIn
) -> Fulfilment:
    """Record one parcel of `merchant`'s lines (all its unshipped ones when `line_ids` is omitted)."""
    order = await lock_order(db, order_id)
    mine = {ln.id: ln for ln in order.lines if ln.merchant_id == merchant.id} if order else {}
    if order is None or not mine:
        raise NotFound("No such order.")  # another merchant's order is not yours to see
    if OrderStatus(order.status) not in SHIPPABLE:
        raise NotShippable(
            N_("An order that is %(status)s cannot ship.", status=status_text(order.status)),
            fields={"status": order.status},
        )
    shipped = {line_id for f in order.fulfilments for line_id in f.line_ids}
    line_ids = _lines_to_ship(mine, shipped, data.line_ids)
    fulfilment = Fulfilment(
        order_id=order.id,
        merchant_id=merchant.id,
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        lines=[FulfilmentLine(order_line_id=line_id) for line_id in line_ids],
    )
    order.fulfilments.append(fulfilment)
    await db.flush()
    if _all_shipped(order.lines, shipped | set(line_ids)) and order.status != OrderStatus.FULFILLED:
        states.move(order, OrderStatus.FULFILLED)
        order.fulfilled_at = clock.now()
        await db.flush()
    news = OrderNews(OrderEvent.FULFILLED, order, fulfilment_id=fulfilment.id, actor_id=merchant.owner_id)
    await events.announce(db, news)
    return fulfilment


def _lines_to_ship(mine: dict[int, OrderLine], shipped: set[int], wanted: Iterable[int] | None) -> list[int]:
    if wanted is None:
        left = [i for i, ln in sorted(mine.items()) if i not in shipped and ln.refund_state != "refunded"]
        if not left:
            raise AlreadyShipped("Every line of yours on this order has shipped or was refunded.")
        return left
    ids = sorted(set(wanted))
    if any(i not in mine for i in ids):
        raise NotFound("No such order line.", fields={"line_ids": "Not a line of yours on this order."})
    if twice := [i for i in ids if i in shipped]:
        raise AlreadyShipped(
            fields={"line_ids": N_("Shipped already: %(ids)s.", ids=", ".join(map(str, twice)))}
        )
    if refunded := [i for i in ids if mine[i].refund_state == "refunded"]:
        raise NotShippable(
            "A line refunded in full does not ship.",
            fields={"line_ids": N_("Refunded: %(ids)s.", ids=", ".join(map(str, refunded)))},
        )
    return ids


def complete_if_done(order: Order) -> None:
    """A refund in full of the last unshipped lines completes an order that has shipped something:
    its return window (and so its settlement) starts now. The status keeps saying refunded."""
    shipped = {line_id for f in order.fulfilments for line_id in f.line_ids}
    if order.fulfilled_at is None and shipped and _all_shipped(order.lines, shipped):
        order.fulfilled_at = clock.now()


def all_done(order: Order) -> bool:
    """Has every line of the order shipped, or been refunded in full?"""
    return _all_shipped(order.lines, {line_id for f in order.fulfilments for line_id in f.line_ids})


def _all_shipped(lines: Iterable[OrderLine], shipped: set[int]) -> bool:
    """Every line is on its way, or was refunded in full and so will never be."""
    return all(ln.id in shipped or ln.refund_state == "refunded" for ln in lines)
