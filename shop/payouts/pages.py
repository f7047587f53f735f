"""Where payees see their money: a creator's earnings (/studio/earnings), a merchant's settlements
(/merchant/settlements), and the payout-account box both pages share.

The box follows the account (`models.AccountStatus`): none → "Set up payouts" (a form that opens
the Express account and sends the payee to Stripe's onboarding), onboarding → "Finish onboarding"
(a fresh link), enabled → "Payouts on", disabled → a warning and the same form. Stripe sends the
payee back with `?onboarding=done|expired`; the page then asks Stripe (the webhook may be late).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import StripeFailure
from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, Role, User
from shop.commissions.services import currencies, earnings
from shop.core import clock
from shop.core.errors import InvalidInput, PermissionDenied
from shop.core.i18n import N_, gettext
from shop.core.pages import Form, render
from shop.payouts import accounts
from shop.payouts.models import AccountStatus, PayoutAccount
from shop.payouts.views import products_by_order, settlement_totals, settlements
from shop.settings import Settings

EARNINGS, SETTLEMENTS = "/studio/earnings", "/merchant/settlements"
# Countries where Stripe opens Express accounts that the form offers; the API takes any code.
COUNTRIES = ("US", "CA", "GB", "IE", "FR", "DE", "NL", "ES", "IT", "AU", "NZ", "SG", "HK", "JP")
CURRENCY = Parameter(default=None, pattern=r"^[A-Z]{3}$")
ONBOARDING = Parameter(default=None, pattern=r"^(done|expired)$")
STATE_LABELS = {
    "pending": N_("Pending"),
    "payable": N_("Payable"),
    "in_transfer": N_("In transfer"),
    "paid": N_("Paid"),
    "reversed": N_("Reversed"),
}
SETTLEMENT_LABELS = {
    "unsettled": N_("Not settled yet"),
    "planned": N_("In the next payout"),
    "sent": N_("Sent"),
}
UNREACHABLE = N_("Stripe could not be reached just now: try again in a minute.")


def _said(labels: dict[str, str]) -> dict[str, str]:
    """The state labels in the reader's language (they are the catalog's msgids)."""
    return {state: gettext(label) for state, label in labels.items()}


@dataclass
class AccountBox:
    account: PayoutAccount | None
    page: str  # the page it sits on; its form posts to the page's own `…/payouts`
    message: str | None = None
    tone: str = "info"  # info | warn

    @property
    def action(self) -> str:
        return f"{self.page}/payouts"

    @property
    def status(self) -> str:
        return self.account.status if self.account else "none"


def _creator(user: User) -> User:
    if user.role != Role.CREATOR:
        raise PermissionDenied("Only creators have earnings.")
    return user


def _returned(status: str, onboarding: str) -> tuple[str, str]:
    """What to say when Stripe sends the payee back from onboarding."""
    if status == AccountStatus.ENABLED:
        return N_("Payouts are on: what you are owed goes out with the next payout."), "info"
    if onboarding == "expired":
        return N_("That onboarding link has expired. Press Finish onboarding for a fresh one."), "warn"
    return N_("Stripe is still checking your details; payouts turn on as soon as it has finished."), "warn"


async def _account_box(
    db: AsyncSession, gateway: StripeGateway, user: User, page: str, onboarding: str | None
) -> AccountBox:
    row = await accounts.account_of(db, user.id)
    if row is None or onboarding is None:
        return AccountBox(row, page)
    try:
        row = await accounts.refresh(db, gateway, row)
    except StripeFailure:
        return AccountBox(row, page, UNREACHABLE, "warn")  # the last known status, never a 500
    return AccountBox(row, page, *_returned(row.status, onboarding))


async def _to_onboarding(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    gateway: StripeGateway,
    settings: Settings,
    user: User,
    data: Form,
    page: str,
) -> Redirect | tuple[AccountBox, int]:
    """Off to Stripe's onboarding (303), which comes back to `page`; or, when Stripe cannot be
    reached, the box that says so and the status to answer with (the page is shown again)."""
    country = (data.get("country") or "US").upper()
    if country not in COUNTRIES:
        raise InvalidInput("Pick a country from the list.", fields={"country": "Not offered."})
    base_url = (settings.public_base_url or str(request.base_url)).rstrip("/")
    try:
        _, url = await accounts.open_account(
            db, gateway, user, country=country, base_url=base_url, return_path=page
        )
    except StripeFailure as error:
        return AccountBox(
            await accounts.account_of(db, user.id), page, UNREACHABLE, "warn"
        ), error.status_code
    return Redirect(url, status_code=303)


async def _earnings_page(
    db: AsyncSession,
    nav: dict[str, Any],
    creator: User,
    currency: str | None,
    box: AccountBox,
    status: int = 200,
) -> Template:
    data = await earnings(db, creator.id, currency)
    others = [code for code in await currencies(db, creator.id) if code != data.currency]
    return render(
        "payouts/earnings.html",
        nav,
        status_code=status,
        data=data,
        others=others,
        box=box,
        countries=COUNTRIES,
        states=_said(STATE_LABELS),
        this_year=clock.now().year,
    )


async def _settlements_page(
    db: AsyncSession,
    nav: dict[str, Any],
    merchant: Merchant,
    settings: Settings,
    box: AccountBox,
    status: int = 200,
) -> Template:
    rows = await settlements(db, merchant, settings.platform_fee_bps)
    products = await products_by_order(db, merchant, [row["order_id"] for row in rows])
    return render(
        "payouts/settlements.html",
        nav,
        status_code=status,
        merchant=merchant,
        rows=rows,
        products=products,
        totals=settlement_totals(rows),
        box=box,
        countries=COUNTRIES,
        states=_said(SETTLEMENT_LABELS),
    )


class PayoutPages(Controller):
    include_in_schema = False

    @get(EARNINGS)
    async def earnings(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        nav: dict[str, Any],
        user: User,
        currency: str | None = CURRENCY,
        onboarding: str | None = ONBOARDING,
    ) -> Template:
        creator = _creator(user)
        box = await _account_box(db_session, gateway, creator, EARNINGS, onboarding)
        return await _earnings_page(db_session, nav, creator, currency, box)

    @post(f"{EARNINGS}/payouts")
    async def creator_payouts(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        gateway: StripeGateway,
        settings: Settings,
        nav: dict[str, Any],
        user: User,
        data: Form,
    ) -> Redirect | Template:
        """ "Set up payouts" / "Finish onboarding" on the earnings page."""
        creator = _creator(user)
        outcome = await _to_onboarding(request, db_session, gateway, settings, creator, data, EARNINGS)
        if isinstance(outcome, Redirect):
            return outcome
        return await _earnings_page(db_session, nav, creator, None, *outcome)

    @get(SETTLEMENTS)
    async def settlements(
        self,
        db_session: AsyncSession,
        gateway: StripeGateway,
        settings: Settings,
        nav: dict[str, Any],
        user: User,
        merchant: Merchant,
        onboarding: str | None = ONBOARDING,
    ) -> Template:
        box = await _account_box(db_session, gateway, user, SETTLEMENTS, onboarding)
        return await _settlements_page(db_session, nav, merchant, settings, box)

    @post(f"{SETTLEMENTS}/payouts")
    async def merchant_payouts(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        gateway: StripeGateway,
        settings: Settings,
        nav: dict[str, Any],
        user: User,
        merchant: Merchant,
        data: Form,
    ) -> Redirect | Template:
        outcome = await _to_onboarding(request, db_session, gateway, settings, user, data, SETTLEMENTS)
        if isinstance(outcome, Redirect):
            return outcome
        return await _settlements_page(db_session, nav, merchant, settings, *outcome)
