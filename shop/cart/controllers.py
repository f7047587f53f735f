"""Cart JSON API. A guest cart lives by cookie; lines of another cart are 404."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.cart import services
from shop.cart.deps import cart_cookie, guest_token
from shop.cart.models import Cart
from shop.cart.schemas import AddLineIn, CartOut, UpdateLineIn, cart_out
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


class CartController(Controller):
    path = "/api/v1/cart"
    tags = ["cart"]

    @get("/")
    async def show(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, current_user: User | None
    ) -> CartOut:
        cart = await services.find_cart(db_session, current_user, guest_token(request))
        return await cart_view(db_session, cart)

    @post("/lines", status_code=HTTP_201_CREATED)
    async def add(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        current_user: User | None,
        settings: Settings,
        data: AddLineIn,
    ) -> Response[CartOut]:
        cart, cookies = await add_to_cart(request, db_session, current_user, settings, data)
        return Response(await cart_view(db_session, cart), status_code=HTTP_201_CREATED, cookies=cookies)

    @patch("/lines/{line_id:int}", status_code=HTTP_200_OK)
    async def update(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        current_user: User | None,
        line_id: int,
        data: UpdateLineIn,
    ) -> CartOut:
        cart = await services.find_cart(db_session, current_user, guest_token(request), lock=True)
        await services.update_line(db_session, cart, line_id, data.quantity)
        return await cart_view(db_session, cart)

    @delete("/lines/{line_id:int}", status_code=HTTP_200_OK)
    async def remove(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        current_user: User | None,
        line_id: int,
    ) -> CartOut:
        cart = await services.find_cart(db_session, current_user, guest_token(request), lock=True)
        await services.remove_line(db_session, cart, line_id)
        return await cart_view(db_session, cart)
