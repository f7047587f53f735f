"""Dashboard orders (filters, totals, paging) and the CSV exports of the same filtered orders."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.errors import InvalidInput
from shop.core.pages import render
from shop.core.schemas import Cursor
from shop.dashboard import exports
from shop.dashboard import orders as order_lists
from shop.dashboard.orders import OrderFilters
from shop.settings import Settings

FILTER_KEYS = ("status", "since", "until", "source", "creator_id", "shipped", "q")


def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: str(request.query_params.get(k) or "")[:200] for k in FILTER_KEYS}


def _csv(body: Any, name: str) -> Stream:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Stream(body, media_type="text/csv; charset=utf-8", headers=headers)


class DashboardOrderPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/orders")
    async def orders(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        cursor: Cursor = None,
    ) -> Template:
        params = _params(request)
        try:
            filters = OrderFilters.parse(params)
        except InvalidInput as error:
            context: dict[str, Any] = {
                "rows": [],
                "emails": {},
                "totals": None,
                "next_cursor": None,
                "query": "",
            }
            return render(
                "dashboard/orders.html", nav, status_code=422, shop=shop, section="orders",
                params=params, errors=error.fields, **context,
            )  # fmt: skip
        rows, next_cursor = await order_lists.page(db_session, shop, filters, cursor)
        return render(
            "dashboard/orders.html",
            nav,
            shop=shop,
            section="orders",
            params=params,
            errors={},
            rows=rows,
            emails=await order_lists.buyers(db_session, rows),
            totals=await order_lists.totals(db_session, shop, filters),
            next_cursor=next_cursor,
            query=filters.query_string(),
        )

    @get("/exports")
    async def exports_page(self, nav: dict[str, Any], shop: Merchant) -> Template:
        return render("dashboard/exports.html", nav, shop=shop, section="exports")

    @get("/exports/orders.csv")
    async def orders_csv(self, request: Request[Any, Any, Any], shop: Merchant) -> Stream:
        filters = OrderFilters.parse(_params(request))
        return _csv(exports.orders_csv(request.app.state.sessions, shop, filters), "orders.csv")

    @get("/exports/order-lines.csv")
    async def lines_csv(self, request: Request[Any, Any, Any], shop: Merchant) -> Stream:
        filters = OrderFilters.parse(_params(request))
        return _csv(exports.lines_csv(request.app.state.sessions, shop, filters), "order-lines.csv")

    @get("/exports/settlements.csv")
    async def settlements_csv(
        self, request: Request[Any, Any, Any], settings: Settings, shop: Merchant
    ) -> Stream:
        body = exports.settlements_csv(request.app.state.sessions, shop, settings.platform_fee_bps)
        return _csv(body, "settlements.csv")
