"""The operator's page `/operator`: a section per job (Shops today; Disputes will join it)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.errors import AppError
from shop.core.http import safe_path
from shop.core.pages import form_errors, render
from shop.core.schemas import Cursor, QueryText, RowId
from shop.notifications.services import Notifier
from shop.operators import services
from shop.operators.schemas import StatusFilter, SuspendIn

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 30


class OperatorPages(Controller):
    path = "/operator"
    include_in_schema = False

    @get("/")
    async def home(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        operator: User,
        section: Literal["shops"] = "shops",
        status: StatusFilter | None = None,
        q: QueryText = None,
        cursor: Cursor = None,
    ) -> Template:
        return await _shops_page(db_session, nav, status=status, q=q, cursor=cursor)

    @post("/shops/{shop_id:int}/{action:str}")
    async def move(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        notifier: Notifier,
        operator: User,
        shop_id: RowId,
        action: Literal["verify", "suspend", "reinstate"],
        data: Form,
    ) -> Response[Any]:
        back = safe_path(data.get("next"), "/operator")
        try:
            reason = SuspendIn(reason=data.get("reason", "")).reason if action == "suspend" else ""
            await services.move_shop(db_session, notifier, shop_id, action, reason)
        except ValidationError as error:
            return await _shops_page(db_session, nav, errors={shop_id: form_errors(error)}, status_code=422)
        except AppError as error:
            errors = {shop_id: error.fields | {"form": error.message}}
            return await _shops_page(db_session, nav, errors=errors, status_code=error.status_code)
        return Redirect(back)


async def _shops_page(
    db: AsyncSession,
    nav: dict[str, Any],
    *,
    status: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    errors: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    rows, next_cursor = await services.list_shops(db, status=status, q=q, cursor=cursor, limit=PAGE_SIZE)
    return render(
        "operator/home.html",
        nav,
        status_code=status_code,
        section="shops",
        rows=rows,
        counts=await services.shop_count_by_status(db),
        status=status or "",
        query=q or "",
        next_cursor=next_cursor,
        errors=errors or {},
    )
