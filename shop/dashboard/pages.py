"""Dashboard pages: the home (cards, actions, GMV by source, top tables)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.pages import render
from shop.dashboard import views
from shop.dashboard.periods import Period


class DashboardPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/")
    async def home(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        period: Period = Period.WEEK,
        note_id: int | None = Parameter(default=None, ge=1, le=2**53),
    ) -> Template:
        context = await views.home(db_session, shop, period, note_id)
        return render("dashboard/home.html", nav, shop=shop, section="home", period=period.value, **context)
