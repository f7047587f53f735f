"""Checkout, payment, confirmation and order history pages; the merchant's order view with refunds."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from payments.models import Refund
from shop.accounts.models import Merchant, User
from shop.catalog.services import cover_thumbs
from shop.core.errors import AppError, NotFound
from shop.core.money import parse_amount
from shop.core.pages import form_errors, render
from shop.orders import services, settlement
from shop.orders.controllers import open_intent
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.orders.schemas import RefundIn
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class OrderPages(Controller):
    include_in_schema = False

    @post("/checkout")
    async def checkout(
        self, db_session: AsyncSession, user: User, gateway: StripeGateway, settings: Settings
    ) -> Redirect:
        try:
            order, _ = await services.place_order(
                db_session, user, idempotency_key=None, hold_minutes=settings.hold_minutes
            )
            await open_intent(db_session, gateway, order)
        except AppError as error:
            await db_session.rollback()
            return Redirect(f"/cart?{urlencode({'error': error.message})}")
        return Redirect(f"/orders/{order.id}/pay")

    @get("/orders/{order_id:int}/pay")
    async def pay(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, gateway: StripeGateway, order_id: int
    ) -> Template | Redirect:
        order = await settlement.refresh_from_stripe(
            db_session, gateway, await services.get_own_order(db_session, user, order_id)
        )
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
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, gateway: StripeGateway, order_id: int
    ) -> Template:
        order = await settlement.refresh_from_stripe(
            db_session, gateway, await services.get_own_order(db_session, user, order_id)
        )
        thumbs = await cover_thumbs(db_session, {line.product_id for line in order.lines})
        return render("shop/order.html", nav, order=order, thumbs=thumbs)

    @get("/orders")
    async def orders(self, db_session: AsyncSession, nav: dict[str, Any], user: User) -> Template:
        orders = await services.list_orders(db_session, user)
        thumbs = await cover_thumbs(db_session, {o.lines[0].product_id for o in orders if o.lines})
        return render("shop/orders.html", nav, orders=orders, thumbs=thumbs)


async def _merchant_order_page(
    db: AsyncSession,
    nav: dict[str, Any],
    merchant: Merchant,
    order_id: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    order = await db.get(Order, order_id)
    lines = [ln for ln in order.lines if ln.merchant_id == merchant.id] if order else []
    if order is None or not lines:
        raise NotFound("No such order.")  # another merchant's order looks missing
    refunds = (
        await db.scalars(select(Refund).where(Refund.order_id == order.id, Refund.merchant_id == merchant.id))
    ).all()
    return render(
        "merchant/order.html",
        nav,
        status_code=status_code,
        order=order,
        lines=lines,
        refunds=refunds,
        errors=errors or {},
    )


class MerchantOrderPages(Controller):
    path = "/merchant/orders"
    include_in_schema = False

    @get("/")
    async def list_orders(
        self, db_session: AsyncSession, nav: dict[str, Any], merchant: Merchant
    ) -> Template:
        ids = select(OrderLine.order_id).where(OrderLine.merchant_id == merchant.id)
        stmt = select(Order).where(Order.id.in_(ids)).order_by(Order.id.desc()).limit(100)
        orders = (await db_session.scalars(stmt)).unique().all()
        return render("merchant/orders.html", nav, orders=orders, merchant=merchant)

    @get("/{order_id:int}")
    async def detail(
        self, db_session: AsyncSession, nav: dict[str, Any], merchant: Merchant, order_id: int
    ) -> Template:
        return await _merchant_order_page(db_session, nav, merchant, order_id)

    @post("/{order_id:int}/refunds")
    async def refund(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        merchant: Merchant,
        gateway: StripeGateway,
        order_id: int,
        data: Form,
    ) -> Template | Redirect:
        order = await db_session.get(Order, order_id)
        currency = order.currency if order else "USD"
        try:
            amount = parse_amount(data.get("amount", ""), currency)
            form = RefundIn.model_validate({"amount": amount, "reason": data.get("reason", "")})
            refund = await settlement.request_refund(db_session, order_id, merchant, form.amount, form.reason)
        except ValidationError as error:
            return await _merchant_order_page(db_session, nav, merchant, order_id, form_errors(error), 422)
        except ValueError:
            errors = {"amount": "Enter an amount like 12.50, or leave it empty for the rest."}
            return await _merchant_order_page(db_session, nav, merchant, order_id, errors, 422)
        except AppError as error:
            if error.status_code == 404:
                raise
            # The 409 response rolls the request back; no ORM object is expired before rendering.
            return await _merchant_order_page(
                db_session, nav, merchant, order_id, {"amount": error.message}, 409
            )
        await db_session.commit()  # the amount is reserved and the key stored before Stripe is called
        try:
            await settlement.execute_refund(db_session, gateway, refund)
        except AppError:
            await db_session.commit()
        return Redirect(f"/merchant/orders/{order_id}")
