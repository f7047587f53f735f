"""/dashboard/products: the shop's catalog (list, create, edit, archive). Merchants only, their own
products only (the `shop` dependency: 404 for anyone else, as is another shop's product)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog import services
from shop.catalog.editing import row_problems, save_product
from shop.catalog.models import Product, ProductCategory
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.core.pages import render
from shop.core.schemas import Cursor, QueryText, RowId
from shop.dashboard import catalog, product_form
from shop.dashboard.product_form import FormRow, ProductForm
from shop.inventory import levels

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _form_page(
    db: AsyncSession,
    nav: dict[str, Any],
    shop: Merchant,
    product: Product | None,
    form: ProductForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    saved: bool = False,
) -> Template:
    if not form.rows:
        form.rows.append(FormRow(currency=shop.currency))
    images = await product_form.image_urls(db, shop.owner, product, form.images)
    stock = await levels.variant_stock(db, product.variants) if product else {}
    return render(
        "dashboard/product_form.html",
        nav,
        status_code=status_code,
        shop=shop,
        section="catalog",
        product=product,
        form=form,
        images=images,
        stock=stock,
        errors=errors or {},
        categories=list(ProductCategory),
        blank_row=FormRow(currency=shop.currency),
        saved=saved,
    )


class DashboardCatalogPages(Controller):
    path = "/dashboard/products"
    include_in_schema = False

    @get("/")
    async def list_products(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        q: QueryText = None,
        status: QueryText = None,
        stock: str | None = None,
        cursor: Cursor = None,
    ) -> Template:
        status_filter, stock_filter = catalog.filters(status, stock)
        products, stock_by_variant, next_cursor = await catalog.product_list(
            db_session, shop, q=q, status=status_filter, stock=stock_filter, cursor=cursor
        )
        return render(
            "dashboard/products.html",
            nav,
            shop=shop,
            section="catalog",
            products=products,
            stock=stock_by_variant,
            next_cursor=next_cursor,
            q=q or "",
            status=status_filter.value,
            stock_filter=stock_filter.value,
        )

    @get("/new")
    async def new(self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant) -> Template:
        return await _form_page(db_session, nav, shop, None, ProductForm())

    @post("/")
    async def create(
        self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant, data: FormBody
    ) -> Template | Redirect:
        return await self._save(db_session, nav, shop, None, data)

    @get("/{product_id:int}")
    async def edit(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        product_id: RowId,
        saved: str = "",
    ) -> Template:
        product = await services.get_own_product(db_session, shop, product_id)
        form = product_form.from_product(product)
        return await _form_page(db_session, nav, shop, product, form, saved=saved == "1")

    @post("/{product_id:int}")
    async def update(
        self, db_session: AsyncSession, nav: dict[str, Any], shop: Merchant, product_id: RowId, data: FormBody
    ) -> Template | Redirect:
        return await self._save(db_session, nav, shop, product_id, data)

    @post("/{product_id:int}/archive")
    async def archive(self, db_session: AsyncSession, shop: Merchant, product_id: RowId) -> Redirect:
        """Archived: off the shop, search and carts' new lines; orders and the ledger keep it."""
        product = await services.get_own_product(db_session, shop, product_id)
        product.is_active = False
        return Redirect(f"/dashboard/products/{product.id}?saved=1")

    @post("/{product_id:int}/unarchive")
    async def unarchive(self, db_session: AsyncSession, shop: Merchant, product_id: RowId) -> Redirect:
        product = await services.get_own_product(db_session, shop, product_id)
        product.is_active = True
        return Redirect(f"/dashboard/products/{product.id}?saved=1")

    async def _save(
        self,
        db: AsyncSession,
        nav: dict[str, Any],
        shop: Merchant,
        product_id: int | None,
        data: dict[str, Any],
    ) -> Template | Redirect:
        product = await services.get_own_product(db, shop, product_id) if product_id else None
        form = product_form.read_form(data)
        parsed, errors = product_form.validate(form)
        if parsed is not None:
            try:
                saved = await save_product(db, shop, shop.owner, product_id, parsed)
                return Redirect(f"/dashboard/products/{saved.id}?saved=1")
            except InvalidInput as error:  # raised before anything was written
                errors = error.fields or {"form": error.message}
        else:  # the fields that parsed may hide more: a SKU in use, a variant that cannot go
            errors = {**await row_problems(db, product, form.rows), **errors}
        errors.setdefault("form", N_("Nothing was saved: fix the fields marked below."))
        return await _form_page(db, nav, shop, product, form, errors, 422)
