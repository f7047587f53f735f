"""Carts: guest or account, merged at sign-in, never holding more than is in stock.

Prices are never stored on a line: every read joins the variant, so a shopper always sees the
current DB price and nothing a client sends can change it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.cart.models import Cart, CartLine, SourceType
from shop.cart.schemas import MAX_LINE_QUANTITY, AddLineIn, SourceIn
from shop.catalog.models import Variant
from shop.catalog.services import ensure_buyable, get_variant
from shop.commissions.attribution import shows_product
from shop.core.errors import Conflict, InvalidInput, NotFound, OutOfStock
from shop.core.i18n import N_

DEFAULT_CURRENCY = "USD"


async def find_cart(
    db: AsyncSession, user: User | None, guest_token: str | None, *, lock: bool = False
) -> Cart | None:
    if user is not None:
        stmt = select(Cart).where(Cart.user_id == user.id)
    elif guest_token:
        stmt = select(Cart).where(Cart.guest_token == guest_token, Cart.user_id.is_(None))
    else:
        return None
    if lock:
        # Serialises concurrent edits of one cart (PostgreSQL); SQLite has a single writer anyway.
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).unique().one_or_none()


async def item_count(db: AsyncSession, user: User | None, guest_token: str | None) -> int:
    """Units in the cart, in one aggregate query: every page's header shows it."""
    stmt = select(func.coalesce(func.sum(CartLine.quantity), 0)).join(Cart, Cart.id == CartLine.cart_id)
    if user is not None:
        stmt = stmt.where(Cart.user_id == user.id)
    elif guest_token:
        stmt = stmt.where(Cart.guest_token == guest_token, Cart.user_id.is_(None))
    else:
        return 0
    return int(await db.scalar(stmt) or 0)


async def open_cart(db: AsyncSession, user: User | None, guest_token: str | None) -> Cart:
    cart = await find_cart(db, user, guest_token, lock=True)
    if cart is None:
        cart = Cart(
            user_id=user.id if user else None, guest_token=None if user else secrets.token_urlsafe(24)
        )
        db.add(cart)
        await db.flush()
        await db.refresh(cart, ["lines"])
    return cart


async def add_line(db: AsyncSession, cart: Cart, data: AddLineIn) -> CartLine:
    variant = await get_variant(db, data.variant_id)
    ensure_buyable(variant.product)
    source_type, source_id = await _checked_source(db, data.source, variant.product_id)
    _same_currency(cart, variant)
    line = next(
        (
            ln
            for ln in cart.lines
            if ln.variant_id == variant.id and ln.source_type == source_type and ln.source_id == source_id
        ),
        None,
    )
    new_quantity = (line.quantity if line else 0) + data.quantity
    if new_quantity > MAX_LINE_QUANTITY:
        raise InvalidInput(fields={"quantity": N_("At most %(n)s per line.", n=MAX_LINE_QUANTITY)})
    _check_stock(cart, variant, extra=data.quantity)
    if line is None:
        line = CartLine(
            variant_id=variant.id, quantity=data.quantity, source_type=source_type, source_id=source_id
        )
        cart.lines.append(line)
    else:
        line.quantity = new_quantity
    await db.flush()
    return line


async def update_line(db: AsyncSession, cart: Cart | None, line_id: int, quantity: int) -> CartLine:
    line = _own_line(cart, line_id)
    assert cart is not None
    _check_stock(cart, line.variant, extra=quantity - line.quantity)
    line.quantity = quantity
    await db.flush()
    return line


async def remove_line(db: AsyncSession, cart: Cart | None, line_id: int) -> None:
    line = _own_line(cart, line_id)
    assert cart is not None
    cart.lines.remove(line)
    await db.flush()


def _own_line(cart: Cart | None, line_id: int) -> CartLine:
    line = next((ln for ln in cart.lines if ln.id == line_id), None) if cart else None
    if line is None:
        # Someone else's line looks exactly like a missing one.
        raise NotFound("No such cart line.")
    return line


def _check_stock(cart: Cart, variant: Variant, *, extra: int) -> None:
    """All lines of one variant share its stock: check the summed demand, not the line alone."""
    demand = sum(ln.quantity for ln in cart.lines if ln.variant_id == variant.id) + extra
    if demand > variant.available:
        left = variant.available
        message = (
            N_("Only %(n)s left of %(name)s.", n=left, name=variant.product.name)
            if left
            else N_("%(name)s is sold out.", name=variant.product.name)
        )
        raise OutOfStock(message, fields={"quantity": message})


def _same_currency(cart: Cart, variant: Variant) -> None:
    currencies = {ln.variant.currency for ln in cart.lines}
    if currencies and variant.currency not in currencies:
        raise Conflict(
            "A cart holds one currency; check out the current cart first.",
            fields={"variant_id": N_("Priced in %(currency)s.", currency=variant.currency)},
        )


async def _checked_source(
    db: AsyncSession, source: SourceIn | None, product_id: int
) -> tuple[str, int | None]:
    if source is None or source.type is SourceType.DIRECT:
        return SourceType.DIRECT.value, None
    if source.id is None:
        raise InvalidInput(fields={"source.id": "Give the id of the note or stream."})
    if not await shows_product(db, source.type.value, source.id, product_id):
        # A draft, another product's note or another shelf leads nobody here: naming it would
        # credit its creator for a sale they did not make.
        message = (
            N_("That note does not show this product.")
            if source.type is SourceType.NOTE
            else N_("That live stream does not show this product.")
        )
        raise InvalidInput(message, fields={"source": message})
    return source.type.value, source.id


async def without_stale_source(db: AsyncSession, data: AddLineIn) -> AddLineIn:
    """The product page's form drops a source that no longer shows the product instead of refusing:
    its ?note= and ?stream= links outlive a tag (the note edited) or a shelf (a replay's chapter, a
    room's link after the host moved on), and the shopper still buys, crediting nobody."""
    source = data.source
    if source is None or source.id is None or source.type is SourceType.DIRECT:
        return data
    variant = await db.get(Variant, data.variant_id)
    if variant is None or await shows_product(db, source.type.value, source.id, variant.product_id):
        return data
    return data.model_copy(update={"source": None})


async def merge_guest_cart(db: AsyncSession, guest_token: str | None, user: User) -> int:
    """Fold a guest cart into the account's cart at sign-in; returns how many units were dropped for stock."""
    guest = await find_cart(db, None, guest_token, lock=True)
    if guest is None or not guest.lines:
        return 0
    cart = await open_cart(db, user, None)
    dropped = 0
    demand: dict[int, int] = defaultdict(int)
    for line in cart.lines:
        demand[line.variant_id] += line.quantity
    for guest_line in list(guest.lines):
        variant = guest_line.variant
        room = max(variant.available - demand[variant.id], 0)
        take = min(guest_line.quantity, room)
        dropped += guest_line.quantity - take
        if take:
            demand[variant.id] += take
            _merge_line(cart, guest_line, take)
    await db.delete(guest)
    await db.flush()
    return dropped


def _merge_line(cart: Cart, guest_line: CartLine, quantity: int) -> None:
    for line in cart.lines:
        if (line.variant_id, line.source_type, line.source_id) == (
            guest_line.variant_id,
            guest_line.source_type,
            guest_line.source_id,
        ):
            line.quantity = min(line.quantity + quantity, MAX_LINE_QUANTITY)
            return
    cart.lines.append(
        CartLine(
            variant_id=guest_line.variant_id,
            quantity=quantity,
            source_type=guest_line.source_type,
            source_id=guest_line.source_id,
        )
    )
