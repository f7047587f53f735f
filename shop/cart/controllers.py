"""Cart JSON API. A guest cart lives by cookie; lines of another cart are 404."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.cart import services
from shop.cart.deps import guest_token
from shop.cart.schemas import AddLineIn, CartOut, UpdateLineIn
from shop.cart.views import add_to_cart, cart_view
from shop.core.schemas import RowId
from shop.settings import Settings


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
        line_id: RowId,
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
        line_id: RowId,
    ) -> CartOut:
        cart = await services.find_cart(db_session, current_user, guest_token(request), lock=True)
        await services.remove_line(db_session, cart, line_id)
        return await cart_view(db_session, cart)
