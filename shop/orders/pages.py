"""Checkout, payment, confirmation and order history pages; the merchant's order view with refunds."""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, User
from shop.addresses.views import ship_to_context, ship_to_from_form
from shop.cart.services import find_cart
from shop.cart.views import cart_view
from shop.catalog.services import cover_thumbs
from shop.core.errors import AppError
from shop.core.i18n import N_, gettext
from shop.core.money import parse_amount
from shop.core.pages import form_errors, render
from shop.core.schemas import RowId
from shop.orders import checkout as checkout_flow
from shop.orders import fulfilment, refunds, services
from shop.orders.events import OrderEvents
from shop.orders.models import OrderStatus
from shop.orders.schemas import FulfilmentIn, RefundIn, ShipToIn
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class OrderPages(Controller):
    include_in_schema = False

    @post("/checkout")
    async def checkout(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        gateway: StripeGateway,
        settings: Settings,
        data: Form,
    ) -> Redirect | Template:
        """The cart's form: a saved address or a new one; a bad address comes back with its messages."""
        try:
            address, address_id = ship_to_from_form(data)
            ship_to = ShipToIn(shipping_address=address, address_id=address_id)
            order, _ = await checkout_flow.checkout_cart(
                db_session,
                gateway,
                user,
                idempotency_key=None,
                hold_minutes=settings.hold_minutes,
                ship_to=ship_to,
            )
        except ValidationError as error:
            return await _cart_again(db_session, nav, user, data, form_errors(error), 422)
        except AppError as error:
            if error.fields and set(error.fields) & {"ship_to", "shipping_address"}:
                # A 4xx page: the request rolls back after rendering (a rollback now would expire
                # the objects the page renders).
                return await _cart_again(
                    db_session, nav, user, data, {"form": error.message}, error.status_code
                )
            await db_session.rollback()  # a redirect would commit: nothing half-written may stay
            return Redirect(f"/cart?{urlencode({'error': gettext(error.message)})}")
        return Redirect(f"/orders/{order.id}/pay")

    @get("/orders/{order_id:int}/pay")
    async def pay(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
    ) -> Template | Redirect:
        order, _ = await checkout_flow.fresh_order(db_session, gateway, order_events, user, order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return Redirect(f"/orders/{order.id}")
        return render(
            "shop/pay.html",
            nav,
            order=order,
            stripe_js=gateway.js_url,
            publishable_key=gateway.publishable_key,
        )

    @get("/orders/{order_id:int}")
    async def order(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
    ) -> Template:
        order, _ = await checkout_flow.fresh_order(db_session, gateway, order_events, user, order_id)
        thumbs = await cover_thumbs(db_session, {line.product_id for line in order.lines})
        return render("shop/order.html", nav, order=order, thumbs=thumbs)

    @get("/orders")
    async def orders(self, db_session: AsyncSession, nav: dict[str, Any], user: User) -> Template:
        orders = await services.list_orders(db_session, user)
        thumbs = await cover_thumbs(db_session, {o.lines[0].product_id for o in orders if o.lines})
        return render("shop/orders.html", nav, orders=orders, thumbs=thumbs)


async def _cart_again(
    db: AsyncSession,
    nav: dict[str, Any],
    user: User,
    data: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Template:
    """The cart page once more, with the address the shopper typed and what is wrong with it."""
    cart = await cart_view(db, await find_cart(db, user, None))
    ship = await ship_to_context(db, user, data, errors)
    return render("shop/cart.html", nav, status_code=status, cart=cart, error=None, ship=ship)


async def _merchant_order_page(
    db: AsyncSession,
    nav: dict[str, Any],
    merchant: Merchant,
    order_id: RowId,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    ship_form: dict[str, Any] | None = None,
) -> Template:
    order, lines, refund_rows = await services.merchant_order(db, merchant, order_id)
    shipments = [f for f in order.fulfilments if f.merchant_id == merchant.id]
    shipped = {line_id for f in order.fulfilments for line_id in f.line_ids}
    return render(
        "merchant/order.html",
        nav,
        status_code=status_code,
        order=order,
        lines=lines,
        refunds=refund_rows,
        errors=errors or {},
        shipments=shipments,
        unshipped=[ln for ln in lines if ln.id not in shipped and ln.refund_state != "refunded"],
        ship_form=ship_form or {},
    )


class MerchantOrderPages(Controller):
    path = "/merchant/orders"
    include_in_schema = False

    @get("/")
    async def list_orders(
        self, db_session: AsyncSession, nav: dict[str, Any], merchant: Merchant
    ) -> Template:
        orders = await services.merchant_orders(db_session, merchant)
        return render("merchant/orders.html", nav, orders=orders, merchant=merchant)

    @get("/{order_id:int}")
    async def detail(
        self, db_session: AsyncSession, nav: dict[str, Any], merchant: Merchant, order_id: RowId
    ) -> Template:
        return await _merchant_order_page(db_session, nav, merchant, order_id)

    @post("/{order_id:int}/fulfilments")
    async def fulfil(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        merchant: Merchant,
        order_events: OrderEvents,
        order_id: Annotated[int, Parameter(ge=1, le=2**53)],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        """The "Ship" form: carrier, tracking number and the ticked lines; mistakes come back to the page."""
        ticked = data.get("line_ids") or []
        fields = {
            "carrier": data.get("carrier", ""),
            "tracking_number": data.get("tracking_number", ""),
            "line_ids": [ticked] if isinstance(ticked, str) else ticked,
        }
        page = functools.partial(_merchant_order_page, db_session, nav, merchant, order_id, ship_form=fields)
        try:
            form = FulfilmentIn.model_validate({k: v for k, v in fields.items() if v})
            await fulfilment.fulfil(db_session, order_events, merchant, order_id, form)
        except ValidationError as error:
            return await page(form_errors(error), 422)
        except AppError as error:
            if error.status_code == 404:
                raise
            await db_session.rollback()
            return await page(error.fields or {"form": error.message}, error.status_code)
        return Redirect(f"/merchant/orders/{order_id}")

    @post("/{order_id:int}/refunds")
    async def refund(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        merchant: Merchant,
        gateway: StripeGateway,
        order_events: OrderEvents,
        order_id: RowId,
        data: Form,
    ) -> Template | Redirect:
        order, _, _ = await services.merchant_order(db_session, merchant, order_id)
        try:
            amount = parse_amount(data.get("amount", ""), order.currency)
            form = RefundIn.model_validate({"amount": amount, "reason": data.get("reason", "")})
        except ValidationError as error:
            return await _merchant_order_page(db_session, nav, merchant, order_id, form_errors(error), 422)
        except ValueError:
            errors = {"amount": N_("Enter an amount like 12.50, or leave it empty for the rest.")}
            return await _merchant_order_page(db_session, nav, merchant, order_id, errors, 422)
        try:
            await refunds.refund_order(
                db_session, gateway, order_events, merchant, order_id, form.amount, form.reason
            )
        except AppError as error:
            # Refused or over the cap: the sequence already committed what it learnt (no rollback
            # here: it would expire the objects the page renders); the 4xx response rolls back the rest.
            return await _merchant_order_page(
                db_session, nav, merchant, order_id, {"amount": error.message}, error.status_code
            )
        return Redirect(f"/merchant/orders/{order_id}")
