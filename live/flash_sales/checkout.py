"""In-room checkout: a flash-sale hold becomes an order at the deal price, paid like any other.

The order line is `allocated` (its stock left the variant when the sale launched), so payment
does not take stock again; instead the paid hook turns the hold into a sale, once. A payment that
lands after the hold expired is refunded automatically by the order's settlement.
"""

from __future__ import annotations

import functools

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.gate import Gate
from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from shop.accounts.models import User
from shop.catalog.models import Variant
from shop.catalog.services import ensure_buyable
from shop.core.db import after_commit_task
from shop.core.errors import Conflict, NotFound
from shop.orders.checkout import shipping_address
from shop.orders.events import Guard
from shop.orders.models import Order, OrderStatus
from shop.orders.schemas import ShipToIn
from shop.orders.services import order_line


async def order_from_hold(
    db: AsyncSession, user: User, sale_id: int, reservation_id: str, ship_to: ShipToIn | None = None
) -> Order:
    hold = await db.scalar(select(FlashSaleHold).where(FlashSaleHold.reservation_id == reservation_id))
    if hold is None or hold.user_id != user.id or hold.sale_id != sale_id:
        raise NotFound("No such reservation.")
    address = await shipping_address(db, user, ship_to)
    if hold.order_id is not None:
        order = await db.get(Order, hold.order_id)
        assert order is not None
        if order.status == OrderStatus.PENDING_PAYMENT:
            order.shipping_address = address  # the sheet sent again with another address: ship there
        return order  # a retried checkout returns the same order
    if hold.state != SaleHoldState.HELD:
        raise Conflict("This reservation has expired.", fields={"reservation_id": hold.state})
    sale = await db.get(FlashSale, sale_id)
    variant = await db.get(Variant, sale.variant_id) if sale else None
    assert sale is not None
    assert variant is not None
    ensure_buyable(variant.product, field="reservation_id")
    # The sale's currency is the variant's: launch refuses a deal price in another currency.
    line = order_line(variant, hold.quantity, sale.price_amount, "stream", sale.stream_id, allocated=True)
    order = Order(
        user_id=user.id,
        currency=sale.currency,
        total_amount=line.total_amount,
        checkout_key=f"flash:{reservation_id}",
        hold_expires_at=hold.expires_at,
        shipping_address=address,
        lines=[line],
    )
    db.add(order)
    await db.flush()
    hold.order_id = order.id
    await db.flush()
    return order


def settle_paid_holds(gate: Gate) -> Guard:
    """The delivery guard for flash-sale lines: each hold becomes sold once, in the paying
    transaction; the gate hears of it only after that commit (a rollback must not settle Redis)."""

    async def hook(db: AsyncSession, order: Order) -> bool:
        if not any(line.allocated for line in order.lines):
            return True
        holds = (await db.scalars(select(FlashSaleHold).where(FlashSaleHold.order_id == order.id))).all()
        for hold in holds:
            sold = await db.execute(
                update(FlashSaleHold)
                .where(FlashSaleHold.id == hold.id, FlashSaleHold.state == SaleHoldState.HELD)
                .values(state=SaleHoldState.SOLD)
            )
            if not sold.rowcount:  # type: ignore[attr-defined]
                return False  # expired meanwhile: its units went back to the pool
            after_commit_task(db, functools.partial(gate.settle, hold.sale_id, hold.reservation_id))
        return bool(holds)

    return hook
