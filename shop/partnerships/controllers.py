"""Open collaborations API: merchants open and close their products; anyone lists them."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.pagination import clamp_limit
from shop.core.schemas import RowId
from shop.partnerships import services
from shop.partnerships.schemas import (
    CollaborationIn,
    CollaborationOut,
    CollaborationPage,
    collaboration_card,
)


class CollaborationController(Controller):
    path = "/api/v1/collaborations"
    tags = ["partnerships"]

    @post("/", status_code=HTTP_201_CREATED)
    async def open(
        self, db_session: AsyncSession, merchant: Merchant, data: CollaborationIn
    ) -> CollaborationOut:
        return CollaborationOut.model_validate(await services.open_collaboration(db_session, merchant, data))

    @get("/")
    async def list_open(
        self,
        db_session: AsyncSession,
        q: str | None = Parameter(default=None, max_length=200),
        min_bps: int | None = Parameter(default=None, ge=0, le=10_000),
        cursor: str | None = Parameter(default=None, max_length=200),
        limit: int | None = None,
    ) -> CollaborationPage:
        rows, next_cursor = await services.open_collaborations(
            db_session, q=q, min_bps=min_bps, cursor=cursor, limit=clamp_limit(limit)
        )
        return CollaborationPage(items=[collaboration_card(r) for r in rows], next_cursor=next_cursor)

    @delete("/{collaboration_id:int}", status_code=HTTP_200_OK)
    async def close(
        self, db_session: AsyncSession, merchant: Merchant, collaboration_id: RowId
    ) -> CollaborationOut:
        row = await services.close_collaboration(db_session, merchant, collaboration_id)
        return CollaborationOut.model_validate(row)
