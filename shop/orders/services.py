"""Checkout: turn the cart into an order and hold its stock while the shopper pays.

Locks are taken in one fixed order (the user's cart row, then variant rows by ascending id) with
`UPDATE … SET x = x`, which is a row lock on PostgreSQL and the write lock on SQLite. Holds are
explicit `stock_reservations` rows, checked against the summed demand of every line on a variant.
Services flush, never commit: the caller decides when the order is stored (before Stripe is called).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import Refund
from shop.accounts.models import Merchant, User
from shop.cart.models import Cart
from shop.catalog.models import Variant
from shop.catalog.services import ensure_buyable
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound, OutOfStock
from shop.core.i18n import N_, Text
from shop.core.money import MAX_CHARGE, format_money
from shop.inventory.locks import lock_variants
from shop.inventory.services import held_quantities
from shop.orders import states
from shop.orders.models import Order, OrderLine, OrderStatus, ReservationState, StockReservation


class EmptyCart(Conflict):
    code = "cart_empty"
    default_message = N_("Your cart is empty.")


def now() -> datetime:
    return clock.now()


class Wanted(Protocol):
    """One thing to buy: a cart line, or a single item bought straight from a live room."""

    @property
    def variant_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def source_type(self) -> str: ...
    @property
    def source_id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Item:
    variant_id: int
    quantity: int
    source_type: str
    source_id: int | None


def order_line(
    variant: Variant,
    quantity: int,
    unit_amount: int,
    source_type: str,
    source_id: int | None,
    *,
    allocated: bool = False,
) -> OrderLine:
    """A line that copies the product's names as sold; the price is the caller's (list or deal)."""
    return OrderLine(
        merchant_id=variant.product.merchant_id,
        variant_id=variant.id,
        product_id=variant.product_id,
        product_name=variant.product.name,
        variant_name=variant.name,
        quantity=quantity,
        unit_amount=unit_amount,
        currency=variant.currency,
        source_type=source_type,
        source_id=source_id,
        allocated=allocated,
    )


def cart_digest(lines: Sequence[Wanted]) -> str:
    parts = sorted(f"{ln.variant_id}:{ln.quantity}:{ln.source_type}:{ln.source_id}" for ln in lines)
    return "cart:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


async def _existing_order(db: AsyncSession, user: User, key: str, *, explicit: bool) -> Order | None:
    """The order a retry should get back: always for a client's key, else while it is still payable."""
    existing = await db.scalar(select(Order).where(Order.user_id == user.id, Order.checkout_key == key))
    if existing is None:
        return None
    if explicit or (existing.status == OrderStatus.PENDING_PAYMENT and existing.hold_expires_at > now()):
        return existing
    existing.checkout_key = f"{key}:{existing.id}"  # a finished order frees its key for a new one
    await db.flush()
    return None


def _ship_again(order: Order, ship_to: dict[str, Any] | None, *, explicit: bool) -> Order:
    """A shopper who goes back and picks another address gets the same unpaid order, shipping there.
    A retry with the client's own key is the same request: its stored address stays."""
    if ship_to is not None and not explicit and order.status == OrderStatus.PENDING_PAYMENT:
        order.shipping_address = ship_to
    return order


async def place_order(
    db: AsyncSession,
    user: User,
    *,
    idempotency_key: str | None,
    hold_minutes: int,
    ship_to: dict[str, Any] | None = None,
) -> tuple[Order, bool]:
    """Return (order, created). A repeated request (same key, or the same cart) gets the same order."""
    await db.execute(update(Cart).where(Cart.user_id == user.id).values(user_id=Cart.user_id))
    cart = await db.scalar(
        select(Cart).where(Cart.user_id == user.id).execution_options(populate_existing=True)
    )
    lines = list(cart.lines) if cart else []
    key = f"key:{idempotency_key}" if idempotency_key else cart_digest(lines)
    existing = await _existing_order(db, user, key, explicit=bool(idempotency_key))
    if existing is not None:
        return _ship_again(existing, ship_to, explicit=bool(idempotency_key)), False
    if not lines:
        raise EmptyCart(fields={"cart": "Add something to your cart first."})
    order = await _create_order(db, user, key, lines, hold_minutes, ship_to)
    return order, True


async def place_single_order(
    db: AsyncSession,
    user: User,
    item: Item,
    *,
    idempotency_key: str | None,
    hold_minutes: int,
    ship_to: dict[str, Any] | None = None,
) -> tuple[Order, bool]:
    """One item bought outside the cart (the live room's sheet), with the cart's stock and retry rules.

    The user's row is the lock that serialises a shopper's retries; variants are locked after it.
    """
    await db.execute(update(User).where(User.id == user.id).values(id=User.id))
    wanted = f"{item.source_type}:{item.source_id}:{item.variant_id}:{item.quantity}"
    key = (
        f"room:{idempotency_key}"
        if idempotency_key
        else f"room:{hashlib.sha256(wanted.encode()).hexdigest()[:40]}"
    )
    existing = await _existing_order(db, user, key, explicit=bool(idempotency_key))
    if existing is not None:
        return _ship_again(existing, ship_to, explicit=bool(idempotency_key)), False
    return await _create_order(db, user, key, [item], hold_minutes, ship_to), True


async def _create_order(
    db: AsyncSession,
    user: User,
    key: str,
    lines: Sequence[Wanted],
    hold_minutes: int,
    ship_to: dict[str, Any] | None = None,
) -> Order:
    demand: dict[int, int] = defaultdict(int)
    for line in lines:
        demand[line.variant_id] += line.quantity
    variants = await lock_variants(db, demand)
    held = await held_quantities(db, demand)
    for variant_id, wanted in sorted(demand.items()):
        variant = variants.get(variant_id)
        if variant is not None:
            ensure_buyable(variant.product, field="cart")
        left = (
            (variant.stock_on_hand - held.get(variant_id, 0)) if variant and variant.product.is_active else 0
        )
        if wanted > left:
            name = variant.product.name if variant else Text.of(N_("An item"))
            message = (
                N_("Not enough stock: only %(n)s left of %(name)s.", n=max(left, 0), name=name)
                if left > 0
                else N_("%(name)s is sold out.", name=name)
            )
            raise OutOfStock(message, fields={"cart": message})
    currencies = {variants[v].currency for v in demand}
    if len(currencies) != 1:
        raise Conflict("Check out one currency at a time.", fields={"cart": "Mixed currencies."})
    expires = now() + timedelta(minutes=hold_minutes)
    order = Order(
        user_id=user.id,
        currency=currencies.pop(),
        total_amount=0,
        checkout_key=key,
        hold_expires_at=expires,
        shipping_address=ship_to,
        lines=[],
    )
    for line in lines:
        variant = variants[line.variant_id]
        order.lines.append(
            order_line(variant, line.quantity, variant.price_amount, line.source_type, line.source_id)
        )
    order.total_amount = sum(line.total_amount for line in order.lines)
    if order.total_amount > MAX_CHARGE:  # more than one card payment can take: refused, unwritten
        most = format_money(MAX_CHARGE, order.currency)
        message = N_("One payment can be at most %(most)s: check out fewer items at a time.", most=most)
        raise InvalidInput(message, fields={"cart": message})
    db.add(order)
    await db.flush()
    for variant_id, quantity in demand.items():
        db.add(
            StockReservation(variant_id=variant_id, order_id=order.id, quantity=quantity, expires_at=expires)
        )
    await db.flush()
    return order


async def get_own_order(db: AsyncSession, user: User, order_id: int, *, lock: bool = False) -> Order:
    if lock:
        await db.execute(update(Order).where(Order.id == order_id).values(status=Order.status))
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    if order is None or order.user_id != user.id:
        raise NotFound("No such order.")
    return order


async def list_orders(db: AsyncSession, user: User, limit: int = 50) -> Sequence[Order]:
    stmt = select(Order).where(Order.user_id == user.id).order_by(Order.id.desc()).limit(limit)
    return (await db.scalars(stmt)).unique().all()


async def release_holds(db: AsyncSession, order: Order) -> int:
    """held → released, once: the conditional UPDATE makes a second release a no-op."""
    result = await db.execute(
        update(StockReservation)
        .where(StockReservation.order_id == order.id, StockReservation.state == ReservationState.HELD.value)
        .values(state=ReservationState.RELEASED.value)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def cancel_order(db: AsyncSession, order: Order, reason: str) -> None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        return
    states.move(order, OrderStatus.CANCELED, reason)
    await release_holds(db, order)
    await db.flush()


async def merchant_orders(db: AsyncSession, merchant: Merchant, limit: int = 100) -> Sequence[Order]:
    """Orders holding at least one of this merchant's lines, newest first."""
    ids = select(OrderLine.order_id).where(OrderLine.merchant_id == merchant.id)
    stmt = select(Order).where(Order.id.in_(ids)).order_by(Order.id.desc()).limit(limit)
    return (await db.scalars(stmt)).unique().all()


async def merchant_order(
    db: AsyncSession, merchant: Merchant, order_id: int
) -> tuple[Order, list[OrderLine], Sequence[Refund]]:
    """An order as one merchant sees it: only its lines and refunds; another's order is a 404."""
    order = await db.get(Order, order_id)
    lines = [ln for ln in order.lines if ln.merchant_id == merchant.id] if order else []
    if order is None or not lines:
        raise NotFound("No such order.")
    stmt = select(Refund).where(Refund.order_id == order.id, Refund.merchant_id == merchant.id)
    return order, lines, (await db.scalars(stmt.order_by(Refund.id))).all()
