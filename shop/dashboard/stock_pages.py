"""Stock on the dashboard: a product's levels with "Adjust stock" per variant and the movement
history (filtered, paged, totalled), the CSV import of levels, and the movement export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Stream, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import Merchant
from shop.catalog import services
from shop.catalog.models import MERCHANT_REASONS, Product, StockReason
from shop.core.errors import AppError, InvalidInput, PayloadTooLarge
from shop.core.exports import safe_cell
from shop.core.i18n import N_
from shop.core.pages import render
from shop.core.schemas import Cursor, QueryText, RowId
from shop.inventory import history, imports, levels
from shop.inventory.adjustments import adjust_stock
from shop.inventory.schemas import MovementFilterIn, StockAdjustmentIn, parse_filters

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
OptionalId = Annotated[int | None, Parameter(ge=1, le=2**53)]
HISTORY_PAGE = 50


def _adjustment(data: dict[str, Any]) -> StockAdjustmentIn:
    """The form's mode (`delta`: add or take away, `level`: the count) and quantity → the schema."""
    mode = "level" if data.get("mode") == "level" else "delta"
    quantity = str(data.get("quantity", "")).strip().replace("+", "", 1)
    if not quantity.lstrip("-").isdigit() or len(quantity) > 9:
        raise InvalidInput(fields={mode: "Enter a whole number of units, like 5 or -2."})
    body = {k: data.get(k) for k in ("variant_id", "reason", "note")}
    try:
        return StockAdjustmentIn.model_validate({**body, mode: int(quantity)})
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors():
            key = str(problem["loc"][0]) if problem["loc"] else mode
            fields.setdefault(key, problem["msg"].removeprefix("Value error, "))
        raise InvalidInput(fields=fields) from None


async def _stock_page(
    db: AsyncSession,
    nav: dict[str, Any],
    shop: Merchant,
    product: Product,
    raw_filters: dict[str, Any],
    *,
    cursor: Cursor = None,
    adjust: dict[str, Any] | None = None,
    status_code: int = 200,
    notice: str = "",
) -> Template:
    filter_errors: dict[str, str] = {}
    try:
        filters = parse_filters({**raw_filters, "product_id": product.id})
        await history.check_scope(db, shop, filters)
        rows, next_cursor = await history.page(db, shop, filters, cursor=cursor, limit=HISTORY_PAGE)
        totals = await history.totals(db, shop, filters)
    except InvalidInput as error:
        filter_errors, rows, next_cursor, totals = error.fields, [], None, history.Totals(0, 0, 0)
        status_code = 422
    return render(
        "dashboard/product_stock.html",
        nav,
        status_code=status_code,
        shop=shop,
        section="catalog",
        product=product,
        stock=await levels.variant_stock(db, product.variants),
        reasons=MERCHANT_REASONS,
        all_reasons=list(StockReason),
        rows=rows,
        totals=totals,
        next_cursor=next_cursor,
        filters={k: v or "" for k, v in raw_filters.items()},
        filter_errors=filter_errors,
        export_query=urlencode({k: v for k, v in raw_filters.items() if v}),
        adjust=adjust or {},
        notice=notice,
    )


class DashboardStockPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/products/{product_id:int}/stock")
    async def stock(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        product_id: RowId,
        variant_id: str | None = None,
        reason: QueryText = None,
        since: QueryText = None,
        until: QueryText = None,
        cursor: Cursor = None,
        adjusted: str = "",
    ) -> Template:
        product = await services.get_own_product(db_session, shop, product_id)
        raw = {"variant_id": variant_id, "reason": reason, "since": since, "until": until}
        notice = N_("Stock adjusted: the movement is at the top of the history.") if adjusted == "1" else ""
        return await _stock_page(db_session, nav, shop, product, raw, cursor=cursor, notice=notice)

    @post("/products/{product_id:int}/stock")
    async def adjust(
        self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant, product_id: RowId, data: FormBody
    ) -> Template | Redirect:
        product = await services.get_own_product(db_session, shop, product_id)
        try:
            movement = await adjust_stock(db_session, shop, shop.owner_id, product.id, _adjustment(data))
        except InvalidInput as error:  # refused before anything moved
            errors = error.fields or {"form": error.message}
            adjust = {**{k: str(v) for k, v in data.items() if k != "_csrf_token"}, "errors": errors}
            raw = {"variant_id": None, "reason": None, "since": None, "until": None}
            return await _stock_page(db_session, nav, shop, product, raw, adjust=adjust, status_code=422)
        return Redirect(f"/dashboard/products/{product.id}/stock?variant_id={movement.variant_id}&adjusted=1")

    @get("/products/import")
    async def import_form(self, nav: dict[str, Any], shop: Merchant, applied: str = "") -> Template:
        done = int(applied) if applied.isdigit() else None
        return render("dashboard/stock_import.html", nav, shop=shop, section="catalog", applied=done)

    @post("/products/import")
    async def import_stock(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, nav: dict[str, Any], shop: Merchant
    ) -> Template | Redirect:
        """Check (a preview of every change, or every error by line) or apply: all rows or none."""
        page: dict[str, Any] = {"shop": shop, "section": "catalog"}
        try:
            content, name, form = await _upload(request)
            if form.get("action") != "apply":
                checked = await imports.plan(db_session, shop, content)
                status = 422 if checked.errors else 200
                page.update(plan=checked, content=content.decode("utf-8-sig"), filename=name)
                return render("dashboard/stock_import.html", nav, status_code=status, **page)
            note = f"CSV import: {name}"[:200]
            expected = str(form.get("digest") or "")
            applied, done = await imports.apply(
                db_session, shop, shop.owner_id, content, note, expected=expected
            )
        except AppError as error:
            page.update(errors=error.fields or {"file": error.message})
            return render("dashboard/stock_import.html", nav, status_code=error.status_code, **page)
        if not done:  # errors, or stock moved since the preview: nothing was written; look again
            page.update(
                plan=applied, content=content.decode("utf-8-sig"), filename=name, stale=not applied.errors
            )
            return render(
                "dashboard/stock_import.html", nav, status_code=422 if applied.errors else 409, **page
            )
        return Redirect(f"/dashboard/products/import?applied={sum(1 for c in applied.changes if c.delta)}")

    @get("/exports/stock-movements.csv")
    async def export_movements(
        self,
        db_session: AsyncSession,
        state: State,
        shop: Merchant,
        product_id: OptionalId = None,
        variant_id: OptionalId = None,
        reason: QueryText = None,
        since: QueryText = None,
        until: QueryText = None,
    ) -> Stream:
        """The history's rows for the same filters, oldest first, streamed in chunks of 500."""
        raw = {
            "product_id": product_id,
            "variant_id": variant_id,
            "reason": reason,
            "since": since,
            "until": until,
        }
        filters = parse_filters(raw)
        await history.check_scope(db_session, shop, filters)
        return Stream(
            _csv_lines(state["sessions"], shop, filters),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="stock-movements.csv"'},
        )


async def _upload(request: Request[Any, Any, Any]) -> tuple[bytes, str, Any]:
    """The file (or, from the preview's Apply button, the same text carried back) and its name."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > imports.MAX_BYTES + 64_000:
        raise PayloadTooLarge("The file is over 1 MB.", fields={"file": "Too large: at most 1 MB."})
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(), upload.filename[:100], form
    text = form.get("content")
    if isinstance(text, str) and text:
        return text.encode(), str(form.get("filename") or "stock.csv")[:100], form
    raise InvalidInput("Choose a CSV file.", fields={"file": "Choose a CSV file."})


async def _csv_lines(
    sessions: async_sessionmaker[AsyncSession], shop: Merchant, filters: MovementFilterIn
) -> AsyncIterator[str]:
    """Its own session: the request's is closed once the response starts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(history.CSV_HEADER)
    yield buffer.getvalue()
    async with sessions() as db:
        async for chunk in history.chunks(db, shop, filters):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([safe_cell(cell) for cell in row.csv_cells()] for row in chunk)
            yield buffer.getvalue()
