"""Live analytics pages (`/dashboard/live`, `/dashboard/live/{id}`) and their JSON
(`GET /api/v1/streams/{id}/analytics`): thin, over `live.analytics` and `live.analytics_list`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from live import analytics, analytics_list
from shop.accounts.models import Merchant, User
from shop.core.pages import render
from shop.core.schemas import RowId


class LiveDashboardPages(Controller):
    path = "/dashboard/live"
    include_in_schema = False

    @get("/")
    async def streams(self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant) -> Template:
        sections = await analytics_list.streams(db_session, shop)
        return render("dashboard/live.html", nav, shop=shop, section="live", sections=sections)

    @get("/{stream_id:int}")
    async def stream(
        self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant, stream_id: RowId
    ) -> Template:
        stream, scope = await analytics.for_shop(db_session, shop, stream_id)
        report = await analytics.report(db_session, stream, scope)
        return render("dashboard/live_stream.html", nav, shop=shop, section="live", report=report)


class StreamAnalyticsController(Controller):
    path = "/api/v1/streams"
    tags = ["live"]

    @get("/{stream_id:int}/analytics")
    async def analytics(self, db_session: AsyncSession, user: User, stream_id: RowId) -> dict[str, Any]:
        """Viewers every 10 s; likes, chat and sales per minute; pins and flash sales as markers
        and as rows with their views, taps, orders and GMV. The host or the brand; else 404."""
        stream, scope = await analytics.for_user(db_session, user, stream_id)
        return await analytics.report(db_session, stream, scope)
