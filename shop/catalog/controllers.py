"""Catalog JSON API. Merchants manage only their own products; others get 404."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.catalog import services
from shop.catalog.schemas import (
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    product_card_out,
    product_out,
)
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryId, QueryText, RowId


class ProductController(Controller):
    path = "/api/v1/products"
    tags = ["catalog"]

    @get("/")
    async def list_products(
        self,
        db_session: AsyncSession,
        q: QueryText = None,
        merchant_id: QueryId = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> ProductPage:
        rows, next_cursor = await services.list_products(
            db_session, q=q, merchant_id=merchant_id, cursor=cursor, limit=clamp_limit(limit)
        )
        return ProductPage(items=[product_card_out(p) for p in rows], next_cursor=next_cursor)

    @get("/{product_id:int}")
    async def get_product(self, db_session: AsyncSession, product_id: RowId) -> ProductOut:
        return product_out(await services.get_product(db_session, product_id))

    @post("/", status_code=HTTP_201_CREATED)
    async def create_product(
        self, db_session: AsyncSession, user: User, merchant: Merchant, data: ProductIn
    ) -> ProductOut:
        product = await services.create_product(db_session, merchant, user, data)
        return product_out(await services.get_product(db_session, product.id, include_inactive=True))

    @patch("/{product_id:int}")
    async def update_product(
        self, db_session: AsyncSession, user: User, merchant: Merchant, product_id: RowId, data: ProductPatch
    ) -> ProductOut:
        product = await services.update_product(db_session, merchant, user, product_id, data)
        return product_out(product)
