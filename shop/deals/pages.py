"""Partnership pages: send an offer (and pay its fee), answer it, and run the deal on one page.

Every action is a plain form (it works before the scripts load); a refused action re-renders its
page with the reason and the 4xx status, and nothing it began stays written.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, User
from shop.core.errors import AppError, PermissionDenied
from shop.core.i18n import gettext
from shop.core.pages import Form, form_errors, render
from shop.core.schemas import RowId
from shop.deals import fees, lifecycle, offers, services, views
from shop.deals.page_views import deal_page_context, offer_form_context
from shop.deals.schemas import SettleIn, SubmitIn
from shop.notifications.services import Notifier
from shop.settings import Settings


class DealPages(Controller):
    include_in_schema = False

    @get("/deals")
    async def home(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, tab: str = "deals"
    ) -> Template:
        """Offers and deals, each with its one status and what it waits for."""
        side = services.side_for(user, None)
        offer_rows, _ = await services.list_offers(db_session, user, side, None, None, 50)
        deal_rows, _ = await services.list_deals(db_session, user, side, None, None, 50)
        return render(
            "deals/list.html",
            nav,
            side=side,
            tab="offers" if tab == "offers" else "deals",
            offers=[views.offer_out(o) for o in offer_rows],
            deals=[views.deal_out(d) for d in deal_rows],
        )

    @get("/operator/disputes")
    async def disputes(self, db_session: AsyncSession, nav: dict[str, Any], operator: User) -> Template:
        rows, _ = await services.disputes(db_session, None, 50)
        return render(
            "operator/disputes.html", nav, section="disputes", disputes=[views.deal_out(d) for d in rows]
        )

    @get("/offers/new")
    async def new_offer(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        merchant: Merchant,
        gateway: StripeGateway,
        settings: Settings,
        creator_id: int | None = Parameter(default=None, ge=1, le=2**53),
    ) -> Template:
        context = await offer_form_context(db_session, merchant, creator_id, settings)
        return render(
            "deals/offer_new.html",
            nav,
            stripe_js=gateway.js_url,
            publishable_key=gateway.publishable_key,
            **context,
        )

    @get("/offers/{offer_id:int}")
    async def offer(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        gateway: StripeGateway,
        notifier: Notifier,
        offer_id: RowId,
        error: str | None = Parameter(default=None, max_length=300),
    ) -> Template:
        offer = await offers.visible_offer(db_session, user, offer_id)
        offer = await offers.refresh(db_session, gateway, notifier, offer)
        deal = await services.deal_of_offer(db_session, offer.id)
        return render(
            "deals/offer.html",
            nav,
            offer=views.offer_out(offer, deal),
            is_merchant=user.merchant is not None and user.merchant.id == offer.merchant_id,
            stripe_js=gateway.js_url,
            publishable_key=gateway.publishable_key,
            error=error,
        )

    @post("/offers/{offer_id:int}/{action:str}")
    async def answer_offer(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        notifier: Notifier,
        settings: Settings,
        offer_id: RowId,
        action: str,
    ) -> Redirect:
        """Accept, decline (the creator) or withdraw (the merchant)."""
        try:
            if action == "accept":
                periods = offers.DealPeriods(settings.deal_review_days, settings.protection_days)
                _, deal = await offers.accept(db_session, notifier, user, offer_id, periods)
                return Redirect(f"/deals/{deal.id}")
            if action == "decline":
                await offers.decline(db_session, gateway, notifier, user, offer_id)
            elif action == "withdraw" and user.merchant is not None:
                await offers.withdraw(db_session, gateway, notifier, user.merchant, offer_id)
            else:
                raise PermissionDenied("That is not something you can do to an offer.")
        except AppError as error:
            if error.status_code == 404:
                raise
            await db_session.rollback()
            return Redirect(f"/offers/{offer_id}?{urlencode({'error': gettext(error.message)[:250]})}")
        return Redirect(f"/offers/{offer_id}")

    @get("/deals/{deal_id:int}")
    async def deal(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, deal_id: RowId
    ) -> Template:
        return await _deal_page(db_session, nav, user, deal_id)

    @post("/deals/{deal_id:int}/{action:str}")
    async def act(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        gateway: StripeGateway,
        notifier: Notifier,
        deal_id: RowId,
        action: str,
        data: Form,
    ) -> Template | Redirect:
        try:
            await _act(db_session, gateway, notifier, user, deal_id, action, data)
        except ValidationError as error:
            await _forget(db_session, user)
            return await _deal_page(db_session, nav, user, deal_id, form_errors(error), 422)
        except AppError as error:
            if error.status_code == 404:
                raise
            await _forget(db_session, user)
            errors = {action: error.message, **error.fields}
            return await _deal_page(db_session, nav, user, deal_id, errors, error.status_code)
        return Redirect(f"/deals/{deal_id}")


async def _act(
    db: AsyncSession,
    gateway: StripeGateway,
    notifier: Notifier,
    user: User,
    deal_id: int,
    action: str,
    data: Form,
) -> None:
    """One step of the deal from its page's form; the service checks who may take it."""
    merchant = user.merchant
    if action == "submit":
        submission = {k: int(v) for k, v in data.items() if k in ("note_id", "stream_id") and v.isdigit()}
        await lifecycle.submit(db, notifier, user, deal_id, SubmitIn.model_validate(submission))
    elif action == "request-changes" and merchant is not None:
        message = data.get("message", "").strip()
        if not message:
            raise AppError("Say what should change.", fields={"message": "Required."})
        await lifecycle.request_changes(db, notifier, merchant, deal_id, message[:2000])
    elif action == "approve" and merchant is not None:
        await lifecycle.approve(db, notifier, merchant, await lifecycle.merchants_deal(db, merchant, deal_id))
    elif action == "cancel":
        await lifecycle.cancel(db, notifier, user, deal_id, data.get("reason", "")[:2000])
    elif action == "settle" and user.role == "operator":
        share = data.get("creator_share_pct", "")
        settle = {"outcome": data.get("outcome", ""), "message": data.get("message", "")[:2000]}
        if share:
            settle["creator_share_bps"] = str(round(float(share) * 100)) if _number(share) else share
        await lifecycle.settle(db, notifier, user, deal_id, SettleIn.model_validate(settle))
    else:
        raise PermissionDenied("That is not something you can do to this deal.")
    await db.commit()
    deal = await lifecycle.get_deal(db, deal_id)
    await fees.send_stored_refund(db, gateway, deal.offer.fee)


async def _forget(db: AsyncSession, user: User) -> None:
    """Drop what the refused step began, and reload the user the page is rendered for."""
    await db.rollback()
    await db.refresh(user)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def _deal_page(
    db: AsyncSession,
    nav: dict[str, Any],
    user: User,
    deal_id: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    deal = await lifecycle.visible_deal(db, user, deal_id)
    context = await deal_page_context(db, user, deal)
    return render("deals/deal.html", nav, status_code=status_code, errors=errors or {}, **context)
