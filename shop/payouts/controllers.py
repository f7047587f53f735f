"""Payouts API: a payee's connected account, a creator's earnings, a merchant's settlements."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, Role, User
from shop.commissions.services import earnings, earnings_csv
from shop.core.errors import NotFound, PermissionDenied
from shop.core.schemas import Input, Output
from shop.payouts import accounts
from shop.payouts.views import settlements, settlements_csv
from shop.settings import Settings


class AccountIn(Input):
    country: str = Field(default="US", min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")


class AccountOut(Output):
    account_id: str | None
    status: str
    payouts_enabled: bool
    onboarding_url: str | None = None


def base_url(request: Request[Any, Any, Any], settings: Settings) -> str:
    return (settings.public_base_url or str(request.base_url)).rstrip("/")


def payouts_page(user: User) -> str:
    """Where a payee follows their money, and where Stripe's onboarding sends them back."""
    return "/merchant/settlements" if user.role == Role.MERCHANT else "/studio/earnings"


def _creator(user: User) -> User:
    if user.role != Role.CREATOR:
        raise PermissionDenied("Only creators have earnings.")
    return user


class PayoutController(Controller):
    path = "/api/v1"
    tags = ["payouts"]

    @post("/payouts/account", status_code=HTTP_201_CREATED)
    async def open_account(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        gateway: StripeGateway,
        settings: Settings,
        user: User,
        data: AccountIn | None = None,
    ) -> AccountOut:
        country = (data or AccountIn()).country.upper()
        row, url = await accounts.open_account(
            db_session,
            gateway,
            user,
            country=country,
            base_url=base_url(request, settings),
            return_path=payouts_page(user),
        )
        return AccountOut(
            account_id=row.stripe_account_id,
            status=row.status,
            payouts_enabled=row.payouts_enabled,
            onboarding_url=url,
        )

    @get("/payouts/account")
    async def account(self, db_session: AsyncSession, gateway: StripeGateway, user: User) -> AccountOut:
        row = await accounts.account_of(db_session, user.id)
        if row is None:
            raise NotFound("No payout account yet: POST /api/v1/payouts/account opens one.")
        row = await accounts.refresh(db_session, gateway, row)
        return AccountOut(
            account_id=row.stripe_account_id, status=row.status, payouts_enabled=row.payouts_enabled
        )

    @get("/earnings")
    async def earnings(
        self,
        db_session: AsyncSession,
        user: User,
        currency: str | None = Parameter(default=None, max_length=3, pattern=r"^[A-Z]{3}$"),
    ) -> dict[str, Any]:
        data = await earnings(db_session, _creator(user).id, currency)
        return {"currency": data.currency, "totals": data.totals, "lines": data.lines}

    @get("/earnings.csv", media_type="text/csv")
    async def earnings_export(
        self,
        db_session: AsyncSession,
        user: User,
        currency: str | None = Parameter(default=None, max_length=3, pattern=r"^[A-Z]{3}$"),
    ) -> Response[str]:
        data = await earnings(db_session, _creator(user).id, currency)
        return _csv(earnings_csv(data), "earnings.csv")

    @get("/merchant/settlements")
    async def settlements(
        self, db_session: AsyncSession, settings: Settings, merchant: Merchant
    ) -> dict[str, Any]:
        return {
            "items": await settlements(db_session, merchant, settings.platform_fee_bps),
            "next_cursor": None,
        }

    @get("/merchant/settlements.csv", media_type="text/csv")
    async def settlements_export(
        self, db_session: AsyncSession, settings: Settings, merchant: Merchant
    ) -> Response[str]:
        rows = await settlements(db_session, merchant, settings.platform_fee_bps)
        return _csv(settlements_csv(rows), "settlements.csv")


def _csv(body: str, filename: str) -> Response[str]:
    return Response(
        body,
        media_type=MediaType.TEXT.value.replace("plain", "csv"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
