"""Flash-sale API: launch (host), reserve (shoppers), ledger and state (anyone)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import checkout, holding, launching, reserving, services
from live.flash_sales.deps import reservation_parts
from live.flash_sales.gate import Gate
from live.flash_sales.models import FlashSale
from live.flash_sales.schemas import (
    FlashSaleIn,
    FlashSaleOut,
    LedgerOut,
    ReservationIn,
    ReservationOut,
    ViewerLimitOut,
)
from payments.gateway import StripeGateway
from shop.accounts.models import User
from shop.accounts.principals import Principal
from shop.core.errors import NotFound
from shop.core.http import on_app_error
from shop.core.schemas import PathKey, RowId
from shop.orders.checkout import open_intent
from shop.orders.schemas import CheckoutOut, ShipToIn, checkout_out
from shop.settings import Settings


async def sale_out(db: AsyncSession, gate: Gate, sale: FlashSale) -> FlashSaleOut:
    books = await services.ledger(db, gate, sale)
    return FlashSaleOut(
        id=sale.id,
        stream_id=sale.stream_id,
        variant_id=sale.variant_id,
        status=services.status_of(sale),
        quantity=sale.quantity,
        remaining=books.available,
        per_customer_limit=sale.per_customer_limit,
        price={"amount": sale.price_amount, "currency": sale.currency},
        starts_at=sale.starts_at,
        ends_at=sale.ends_at,
    )


async def get_sale(db: AsyncSession, sale_id: RowId) -> FlashSale:
    sale = await db.get(FlashSale, sale_id)
    if sale is None:
        raise NotFound("No such flash sale.")
    return sale


class FlashSaleController(Controller):
    path = "/api/v1"
    tags = ["live"]

    @post("/streams/{stream_id:int}/flash-sales", status_code=HTTP_201_CREATED)
    async def launch(
        self,
        db_session: AsyncSession,
        user: User,
        gate: Gate,
        channels: ChannelsPlugin,
        settings: Settings,
        stream_id: RowId,
        data: FlashSaleIn,
    ) -> FlashSaleOut:
        sale = await launching.launch_sale(
            db_session, gate, channels.publish, user, stream_id, data, hold_seconds=settings.hold_minutes * 60
        )
        return await sale_out(db_session, gate, sale)

    @get("/flash-sales/{sale_id:int}")
    async def detail(self, db_session: AsyncSession, gate: Gate, sale_id: RowId) -> FlashSaleOut:
        return await sale_out(db_session, gate, await get_sale(db_session, sale_id))

    @get("/flash-sales/{sale_id:int}/ledger")
    async def ledger(self, db_session: AsyncSession, gate: Gate, sale_id: RowId) -> LedgerOut:
        return await services.ledger(db_session, gate, await get_sale(db_session, sale_id))

    @get("/flash-sales/{sale_id:int}/mine")
    async def mine(self, db_session: AsyncSession, user: User, sale_id: RowId) -> ViewerLimitOut:
        """The signed-in viewer's held and bought units against the per-customer limit."""
        return await services.viewer_books(db_session, await get_sale(db_session, sale_id), user.id)

    @post(
        "/flash-sales/{sale_id:int}/reservations/{reservation_id:str}/checkout", status_code=HTTP_201_CREATED
    )
    async def checkout(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        sale_id: RowId,
        reservation_id: PathKey,
        data: ShipToIn | None = None,
    ) -> CheckoutOut:
        """The in-room sheet: pay for the hold without leaving the room (same payment flow as the cart).
        The body is the cart checkout's: `shipping_address` or `address_id`; empty = the default."""
        order = await checkout.order_from_hold(db_session, user, sale_id, reservation_id, data)
        return checkout_out(order, await open_intent(db_session, gateway, order), gateway)

    @post("/flash-sales/{sale_id:int}/reservations", status_code=HTTP_201_CREATED)
    async def reserve(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: Principal,
        sale_id: RowId,
        data: ReservationIn,
    ) -> Response[ReservationOut]:
        """Rate-limited per account and per address before the gate is asked (scalpers' bots).
        The hot path: the caller is a cached principal and a refusal comes from the gate alone,
        so most answers of a sale's rush touch Redis (or memory) only, never the database."""
        ip = request.client.host if request.client else "unknown"
        parts = reservation_parts(request)
        try:
            held = await reserving.reserve(db_session, parts, principal.user_id, ip, sale_id, data.quantity)
        except holding.SaleRefused as refused:  # most of a rush: answered here, not by the exception layer
            return on_app_error(request, refused)
        return Response(held, status_code=HTTP_201_CREATED)
