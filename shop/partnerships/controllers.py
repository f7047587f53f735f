"""Open collaborations API: merchants open, re-rate and close their products; anyone lists them.
Showcase API: a creator's recommended products (public), added and removed by the creator."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.accounts.services import get_user
from shop.catalog.models import ProductCategory
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryText, RowId
from shop.notifications.services import Notifier
from shop.partnerships import services, showcase
from shop.partnerships.models import Collaboration
from shop.partnerships.schemas import (
    CollaborationIn,
    CollaborationOut,
    CollaborationPage,
    RateIn,
    ShowcaseIn,
    ShowcaseItemOut,
    ShowcasePage,
    collaboration_card,
    collaboration_out,
    showcase_item_out,
)
from shop.partnerships.services import Filters, Sort
from shop.settings import Settings


async def _out(db: AsyncSession, row: Collaboration) -> CollaborationOut:
    return collaboration_out(row, (await services.rates_now(db, [row.id]))[row.id])


class CollaborationController(Controller):
    path = "/api/v1/collaborations"
    tags = ["partnerships"]

    @post("/", status_code=HTTP_201_CREATED)
    async def open(
        self, db_session: AsyncSession, merchant: Merchant, data: CollaborationIn
    ) -> CollaborationOut:
        return await _out(db_session, await services.open_collaboration(db_session, merchant, data))

    @get("/")
    async def list_open(
        self,
        db_session: AsyncSession,
        q: QueryText = None,
        min_bps: int | None = Parameter(default=None, ge=0, le=10_000),
        category: ProductCategory | None = None,
        sort: Sort = Sort.NEW,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> CollaborationPage:
        """Open collaborations; `commission_bps` and `min_bps` are about the rate in force now."""
        filters = Filters(q=q, min_bps=min_bps, category=category)
        rows, next_cursor = await services.open_collaborations(
            db_session, filters, sort=sort, cursor=cursor, limit=clamp_limit(limit)
        )
        return CollaborationPage(
            items=[collaboration_card(r.collaboration, r.rates) for r in rows], next_cursor=next_cursor
        )

    @patch("/{collaboration_id:int}")
    async def change_rate(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        settings: Settings,
        notifier: Notifier,
        collaboration_id: RowId,
        data: RateIn,
    ) -> CollaborationOut:
        """A raise is in force at once; a cut shows as `pending` until COMMISSION_NOTICE_DAYS pass."""
        row = await services.change_rate(
            db_session,
            merchant,
            collaboration_id,
            data.commission_bps,
            notice=timedelta(days=settings.commission_notice_days),
            notifier=notifier,
        )
        return await _out(db_session, row)

    @delete("/{collaboration_id:int}", status_code=HTTP_200_OK)
    async def close(
        self, db_session: AsyncSession, merchant: Merchant, collaboration_id: RowId
    ) -> CollaborationOut:
        return await _out(
            db_session, await services.close_collaboration(db_session, merchant, collaboration_id)
        )


class ShowcaseController(Controller):
    path = "/api/v1"
    tags = ["partnerships"]

    @get("/users/{user_id:int}/showcase")
    async def list_showcase(
        self,
        db_session: AsyncSession,
        user_id: RowId,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> ShowcasePage:
        """A creator's showcase, newest first: products they may sell now (closed ones drop out)."""
        person = await get_user(db_session, user_id)
        shown, next_cursor = await showcase.showcase_of(
            db_session, person, cursor=cursor, limit=clamp_limit(limit)
        )
        return ShowcasePage(items=[showcase_item_out(s) for s in shown], next_cursor=next_cursor)

    @post("/me/showcase", status_code=HTTP_201_CREATED)
    async def add(self, db_session: AsyncSession, user: User, data: ShowcaseIn) -> ShowcaseItemOut:
        """Creators only (403); a product they may not sell is a 422 naming it; at most 200."""
        return showcase_item_out(await showcase.add(db_session, user, data.product_id))

    @delete("/me/showcase/{product_id:int}", status_code=HTTP_200_OK)
    async def remove(self, db_session: AsyncSession, user: User, product_id: RowId) -> dict[str, object]:
        await showcase.remove(db_session, user, product_id)
        return {"product_id": product_id, "in_showcase": False}
