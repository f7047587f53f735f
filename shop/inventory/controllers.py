"""Stock JSON API: adjust a variant of one's own product, read its movements. Others' are 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.services import get_own_product
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryText, RowId
from shop.inventory import history
from shop.inventory.adjustments import adjust_stock
from shop.inventory.schemas import MovementOut, MovementPage, StockAdjustmentIn, parse_filters

OptionalId = Annotated[int | None, Parameter(ge=1, le=2**53)]


def movement_out(row: history.MovementRow) -> MovementOut:
    m = row.movement
    return MovementOut(
        id=m.id,
        variant_id=m.variant_id,
        sku=row.sku,
        delta=m.delta,
        balance_after=m.balance_after,
        reason=m.reason,
        reason_label=row.reason_label,
        note=m.note,
        actor=row.actor,
        created_at=m.created_at,
    )


class StockController(Controller):
    path = "/api/v1/products"
    tags = ["inventory"]

    @post("/{product_id:int}/stock-adjustments", status_code=HTTP_201_CREATED)
    async def adjust(
        self, db_session: AsyncSession, merchant: Merchant, product_id: RowId, data: StockAdjustmentIn
    ) -> MovementOut:
        """A signed `delta` or a counted `level`, with a reason (restock, return, damage, correction,
        count) and an optional note: one movement in the ledger. Below live holds → 422."""
        movement = await adjust_stock(db_session, merchant, merchant.owner_id, product_id, data)
        filters = parse_filters({"variant_id": movement.variant_id})
        rows, _ = await history.page(db_session, merchant, filters, cursor=None, limit=1)
        return movement_out(rows[0])

    @get("/{product_id:int}/stock-movements")
    async def movements(
        self,
        db_session: AsyncSession,
        merchant: Merchant,
        product_id: RowId,
        variant_id: OptionalId = None,
        reason: QueryText = None,
        since: QueryText = None,
        until: QueryText = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> MovementPage:
        """Newest first, with the totals of everything the filters match (not just this page)."""
        await get_own_product(db_session, merchant, product_id)
        filters = parse_filters(
            {
                "product_id": product_id,
                "variant_id": variant_id,
                "reason": reason,
                "since": since,
                "until": until,
            }
        )
        await history.check_scope(db_session, merchant, filters)
        rows, next_cursor = await history.page(
            db_session, merchant, filters, cursor=cursor, limit=clamp_limit(limit, 50, 200)
        )
        totals = await history.totals(db_session, merchant, filters)
        return MovementPage(
            items=[movement_out(r) for r in rows],
            next_cursor=next_cursor,
            count=totals.count,
            added=totals.added,
            removed=totals.removed,
            net=totals.net,
        )
