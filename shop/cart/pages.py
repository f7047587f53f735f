"""The cart page, with quantity edits that work with or without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.addresses.views import ship_to_context
from shop.cart import services
from shop.cart.deps import guest_token
from shop.cart.schemas import AddLineIn, UpdateLineIn
from shop.cart.views import add_to_cart, cart_view
from shop.core.errors import AppError
from shop.core.i18n import N_, gettext
from shop.core.pages import form_errors, render
from shop.core.schemas import RowId
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _back(path: str, message: str) -> Redirect:
    return Redirect(f"{path}?{urlencode({'error': gettext(message)})}")


class CartPages(Controller):
    include_in_schema = False

    @get("/cart")
    async def cart(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        nav: dict[str, Any],
        current_user: User | None,
        error: str | None = None,
    ) -> Template:
        cart = await services.find_cart(db_session, current_user, guest_token(request))
        ship = await ship_to_context(db_session, current_user)  # the checkout form's "Ship to"
        return render("shop/cart.html", nav, cart=await cart_view(db_session, cart), error=error, ship=ship)

    @post("/cart/lines")
    async def add(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        current_user: User | None,
        settings: Settings,
        data: Form,
    ) -> Response[Any]:
        """The product page's no-JavaScript form; errors come back to the product page."""
        back = f"/products/{data.get('product_id', '')}"
        source = None
        if data.get("note_id"):
            source = {"type": "note", "id": data["note_id"]}
        elif data.get("stream_id"):
            source = {"type": "stream", "id": data["stream_id"]}
        try:
            line = AddLineIn.model_validate(
                {"variant_id": data.get("variant_id"), "quantity": data.get("quantity", 1), "source": source}
            )
            line = await services.without_stale_source(db_session, line)
            _, cookies = await add_to_cart(request, db_session, current_user, settings, line)
        except ValidationError as error:
            return _back(back, next(iter(form_errors(error).values())))
        except AppError as error:
            await db_session.rollback()  # a redirect commits: nothing of a failed add may stay
            return _back(back, error.message)
        return Redirect("/cart", cookies=cookies)

    @post("/cart/lines/{line_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        current_user: User | None,
        line_id: RowId,
        data: Form,
    ) -> Redirect:
        cart = await services.find_cart(db_session, current_user, guest_token(request), lock=True)
        try:
            if data.get("action") == "remove":
                await services.remove_line(db_session, cart, line_id)
            else:
                quantity = UpdateLineIn.model_validate({"quantity": data.get("quantity")}).quantity
                await services.update_line(db_session, cart, line_id, quantity)
        except ValidationError:
            return _back("/cart", N_("Choose a quantity between 1 and 99."))
        except AppError as error:
            if error.status_code == 404:
                raise
            await db_session.rollback()
            return _back("/cart", error.message)
        return Redirect("/cart")
