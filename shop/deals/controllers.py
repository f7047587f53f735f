"""Offers and deals API (the Wave 2 contract): thin handlers over `offers`, `lifecycle` and `services`."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, User
from shop.core.pagination import clamp_limit
from shop.core.schemas import PRINTABLE, Cursor, Limit, RowId
from shop.deals import fees, lifecycle, offers, services, views
from shop.deals.schemas import (
    CancelIn,
    DealOut,
    DealPage,
    MessageIn,
    OfferIn,
    OfferOut,
    OfferPage,
    OfferPayIn,
    PaymentOut,
    SettleIn,
    SetupIntentOut,
    SubmitIn,
)
from shop.notifications.services import Notifier
from shop.settings import Settings

Side = Literal["creator", "merchant"]


async def _offer_view(db: AsyncSession, offer_id: int) -> OfferOut:
    offer = await offers.get_offer(db, offer_id)
    return views.offer_out(offer, await services.deal_of_offer(db, offer.id))


async def _deal_view(db: AsyncSession, deal_id: int) -> DealOut:
    return views.deal_out(await lifecycle.get_deal(db, deal_id))


def _periods(settings: Settings) -> offers.DealPeriods:
    return offers.DealPeriods(review_days=settings.deal_review_days, protection_days=settings.protection_days)


class OfferController(Controller):
    path = "/api/v1/offers"
    tags = ["partnerships"]

    @post("/", status_code=HTTP_201_CREATED)
    async def send(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        notifier: Notifier,
        settings: Settings,
        data: OfferIn,
    ) -> OfferOut:
        offer = await offers.send_offer(db_session, notifier, merchant, data, settings.offer_expiry_days)
        return views.offer_out(offer)

    @get("/")
    async def list_offers(
        self,
        db_session: AsyncSession,
        user: User,
        role: Side | None = None,
        status: str | None = Parameter(default=None, max_length=20, pattern=PRINTABLE),
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> OfferPage:
        rows, next_cursor = await services.list_offers(
            db_session, user, role, status, cursor, clamp_limit(limit)
        )
        deals = await services.deals_of_offers(db_session, [o.id for o in rows])
        return OfferPage(items=[views.offer_out(o, deals.get(o.id)) for o in rows], next_cursor=next_cursor)

    @get("/{offer_id:int}")
    async def detail(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        user: User,
        offer_id: RowId,
    ) -> OfferOut:
        offer = await offers.visible_offer(db_session, user, offer_id)
        await offers.refresh(db_session, gateway, notifier, offer)
        return await _offer_view(db_session, offer_id)

    @post("/{offer_id:int}/setup-intent", status_code=HTTP_201_CREATED)
    async def setup_intent(
        self, db_session: AsyncSession, gateway: StripeGateway, merchant: Merchant, offer_id: RowId
    ) -> SetupIntentOut:
        intent_id, secret = await offers.setup_intent(db_session, gateway, merchant, offer_id)
        return SetupIntentOut(
            setup_intent_id=intent_id, client_secret=secret, publishable_key=gateway.publishable_key
        )

    @post("/{offer_id:int}/pay", status_code=HTTP_200_OK)
    async def pay(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        merchant: Merchant,
        offer_id: RowId,
        data: OfferPayIn,
    ) -> OfferOut:
        offer, intent = await offers.pay_fee(db_session, gateway, notifier, merchant, offer_id, data)
        out = await _offer_view(db_session, offer.id)
        if intent is not None:
            out.payment = PaymentOut(
                payment_intent_id=intent.id,
                status=intent.status,
                client_secret=intent.client_secret if intent.status == "requires_action" else None,
                error=intent.error_message,
                publishable_key=gateway.publishable_key,
            )
        return out

    @post("/{offer_id:int}/accept", status_code=HTTP_200_OK)
    async def accept(
        self, db_session: AsyncSession, notifier: Notifier, settings: Settings, user: User, offer_id: RowId
    ) -> OfferOut:
        offer, _deal = await offers.accept(db_session, notifier, user, offer_id, _periods(settings))
        await db_session.commit()
        return await _offer_view(db_session, offer.id)

    @post("/{offer_id:int}/decline", status_code=HTTP_200_OK)
    async def decline(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        user: User,
        offer_id: RowId,
    ) -> OfferOut:
        offer = await offers.decline(db_session, gateway, notifier, user, offer_id)
        return await _offer_view(db_session, offer.id)

    @post("/{offer_id:int}/withdraw", status_code=HTTP_200_OK)
    async def withdraw(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        merchant: Merchant,
        offer_id: RowId,
    ) -> OfferOut:
        offer = await offers.withdraw(db_session, gateway, notifier, merchant, offer_id)
        return await _offer_view(db_session, offer.id)


class DealController(Controller):
    path = "/api/v1/deals"
    tags = ["partnerships"]

    @get("/")
    async def list_deals(
        self,
        db_session: AsyncSession,
        user: User,
        role: Side | None = None,
        status: str | None = Parameter(default=None, max_length=20, pattern=PRINTABLE),
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> DealPage:
        rows, next_cursor = await services.list_deals(
            db_session, user, role, status, cursor, clamp_limit(limit)
        )
        return DealPage(items=[views.deal_out(d) for d in rows], next_cursor=next_cursor)

    @get("/{deal_id:int}")
    async def detail(self, db_session: AsyncSession, user: User, deal_id: RowId) -> DealOut:
        return views.deal_out(await lifecycle.visible_deal(db_session, user, deal_id))

    @post("/{deal_id:int}/submit", status_code=HTTP_200_OK)
    async def submit(
        self, db_session: AsyncSession, notifier: Notifier, user: User, deal_id: RowId, data: SubmitIn
    ) -> DealOut:
        deal = await lifecycle.submit(db_session, notifier, user, deal_id, data)
        await db_session.commit()
        return await _deal_view(db_session, deal.id)

    @post("/{deal_id:int}/request-changes", status_code=HTTP_200_OK)
    async def request_changes(
        self,
        db_session: AsyncSession,
        notifier: Notifier,
        merchant: Merchant,
        deal_id: RowId,
        data: MessageIn,
    ) -> DealOut:
        deal = await lifecycle.request_changes(db_session, notifier, merchant, deal_id, data.message)
        await db_session.commit()
        return await _deal_view(db_session, deal.id)

    @post("/{deal_id:int}/approve", status_code=HTTP_200_OK)
    async def approve(
        self, db_session: AsyncSession, notifier: Notifier, merchant: Merchant, deal_id: RowId
    ) -> DealOut:
        deal = await lifecycle.merchants_deal(db_session, merchant, deal_id)
        await lifecycle.approve(db_session, notifier, merchant, deal)
        await db_session.commit()
        return await _deal_view(db_session, deal.id)

    @post("/{deal_id:int}/cancel", status_code=HTTP_200_OK)
    async def cancel(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        user: User,
        deal_id: RowId,
        data: CancelIn,
    ) -> DealOut:
        deal = await lifecycle.cancel(db_session, notifier, user, deal_id, data.reason)
        await db_session.commit()
        await fees.send_stored_refund(db_session, gateway, deal.offer.fee)
        return await _deal_view(db_session, deal.id)

    @post("/{deal_id:int}/settle", status_code=HTTP_200_OK)
    async def settle(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        notifier: Notifier,
        operator: User,
        deal_id: RowId,
        data: SettleIn,
    ) -> DealOut:
        deal = await lifecycle.settle(db_session, notifier, operator, deal_id, data)
        await db_session.commit()
        await fees.send_stored_refund(db_session, gateway, deal.offer.fee)
        return await _deal_view(db_session, deal.id)


class DisputeController(Controller):
    path = "/api/v1/operator/disputes"
    tags = ["operators"]

    @get("/")
    async def list_disputes(
        self,
        db_session: AsyncSession,
        operator: User,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> DealPage:
        rows, next_cursor = await services.disputes(db_session, cursor, clamp_limit(limit))
        return DealPage(items=[views.deal_out(d) for d in rows], next_cursor=next_cursor)
