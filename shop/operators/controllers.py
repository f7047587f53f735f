"""The operator API: list shops, and verify, suspend or reinstate one (operators only)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryText, RowId
from shop.notifications.services import Notifier
from shop.operators import services
from shop.operators.schemas import (
    OperatorShopOut,
    OperatorShopPage,
    StatusFilter,
    SuspendIn,
    operator_shop_out,
)


class OperatorController(Controller):
    path = "/api/v1/operator"
    tags = ["operators"]

    @get("/shops")
    async def shops(
        self,
        db_session: AsyncSession,
        operator: User,
        status: StatusFilter | None = None,
        q: QueryText = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> OperatorShopPage:
        rows, next_cursor = await services.list_shops(
            db_session, status=status, q=q, cursor=cursor, limit=clamp_limit(limit)
        )
        return OperatorShopPage(items=[operator_shop_out(s, n) for s, n in rows], next_cursor=next_cursor)

    @post("/shops/{shop_id:int}/verify", status_code=HTTP_200_OK)
    async def verify(
        self, db_session: AsyncSession, notifier: Notifier, operator: User, shop_id: RowId
    ) -> OperatorShopOut:
        return await _moved(db_session, notifier, shop_id, "verify")

    @post("/shops/{shop_id:int}/suspend", status_code=HTTP_200_OK)
    async def suspend(
        self, db_session: AsyncSession, notifier: Notifier, operator: User, shop_id: RowId, data: SuspendIn
    ) -> OperatorShopOut:
        return await _moved(db_session, notifier, shop_id, "suspend", data.reason)

    @post("/shops/{shop_id:int}/reinstate", status_code=HTTP_200_OK)
    async def reinstate(
        self, db_session: AsyncSession, notifier: Notifier, operator: User, shop_id: RowId
    ) -> OperatorShopOut:
        return await _moved(db_session, notifier, shop_id, "reinstate")


async def _moved(
    db: AsyncSession, notifier: Notifier, shop_id: int, action: str, reason: str = ""
) -> OperatorShopOut:
    shop = await services.move_shop(db, notifier, shop_id, action, reason)
    counts = await services.product_counts(db, [shop.id])
    return operator_shop_out(shop, counts.get(shop.id, 0))
