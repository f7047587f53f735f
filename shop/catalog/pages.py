"""The product page: gallery, variant choice, add to cart, and the notes that feature it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog import services, storefront
from shop.core.pages import render
from shop.core.schemas import Cursor, QueryText, RowId
from shop.notes import services as notes
from shop.notes.schemas import note_card_out


class CatalogPages(Controller):
    include_in_schema = False

    @get("/products/{product_id:int}")
    async def product(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        product_id: RowId,
        note: int | None = None,
        stream: int | None = None,
    ) -> Template:
        product = await services.get_product(db_session, product_id)
        featured = await notes.notes_featuring(db_session, product.id)
        return render(
            "shop/product.html",
            nav,
            product=product,
            notes=[note_card_out(n) for n in featured],
            from_note=note,
            from_stream=None if note else stream,
        )

    @get("/shop")
    async def shop(
        self, db_session: AsyncSession, nav: dict[str, Any], q: QueryText = None, cursor: Cursor = None
    ) -> Template:
        products, next_cursor = await services.list_products(
            db_session, q=q, merchant_id=None, cursor=cursor, limit=24
        )
        shops = await storefront.popular_shops(db_session) if cursor is None and not q else []
        return render(
            "shop/shop.html", nav, products=products, next_cursor=next_cursor, q=q or "", shops=shops
        )
