"""The cart as the JSON API and the cart pages both show it, and adding a line from a browser."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.cart import services
from shop.cart.deps import cart_cookie, guest_token
from shop.cart.models import Cart
from shop.cart.schemas import AddLineIn, CartOut, cart_out
from shop.settings import Settings


async def cart_view(db: AsyncSession, cart: Cart | None) -> CartOut:
    if cart is None:
        return cart_out(None)
    # Re-read so every line carries its variant's current price and stock.
    fresh = await db.scalar(select(Cart).where(Cart.id == cart.id).execution_options(populate_existing=True))
    return cart_out(fresh)


async def add_to_cart(
    request: Request[Any, Any, Any], db: AsyncSession, user: User | None, settings: Settings, data: AddLineIn
) -> tuple[Cart, list[Cookie]]:
    """Add a line to the account's or guest's cart; a new guest cart comes with its cookie."""
    cart = await services.open_cart(db, user, guest_token(request))
    await services.add_line(db, cart, data)
    cookies = [cart_cookie(cart.guest_token, secure=settings.cookie_secure)] if cart.guest_token else []
    return cart, cookies
