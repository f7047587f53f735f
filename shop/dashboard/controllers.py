"""Dashboard JSON (the Wave 2 contract): the home's summary."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.dashboard import views
from shop.dashboard.periods import Period


class DashboardController(Controller):
    path = "/api/v1/dashboard"
    tags = ["dashboard"]

    @get("/summary")
    async def summary(
        self, db_session: AsyncSession, shop: Merchant, period: Period = Period.WEEK
    ) -> dict[str, Any]:
        return await views.summary(db_session, shop, period)
