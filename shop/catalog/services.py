"""Catalog: products, variants and the stock ledger. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.catalog.models import Product, ProductImage, StockMovement, StockReason, Variant
from shop.catalog.schemas import ProductIn, ProductPatch, VariantIn, VariantPatch
from shop.core import search
from shop.core.db import keyset_page
from shop.core.errors import AlreadyExists, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.inventory.services import set_stock_level
from shop.notes.models import Upload


async def list_products(
    db: AsyncSession, *, q: str | None, merchant_id: int | None, cursor: str | None, limit: int
) -> tuple[Sequence[Product], str | None]:
    stmt: Select[Product] = select(Product).where(Product.is_active.is_(True))
    if merchant_id is not None:
        stmt = stmt.where(Product.merchant_id == merchant_id)
    if (condition := search.matches_all(Product.search_text, q)) is not None:
        stmt = stmt.where(condition)
    return await keyset_page(db, stmt, Product.id, cursor=cursor, limit=limit)


async def get_product(db: AsyncSession, product_id: int, *, include_inactive: bool = False) -> Product:
    product = await db.get(Product, product_id)
    if product is None or (not product.is_active and not include_inactive):
        raise NotFound("No such product.")
    return product


async def get_own_product(db: AsyncSession, merchant: Merchant, product_id: int) -> Product:
    product = await db.get(Product, product_id)
    if product is None or product.merchant_id != merchant.id:
        # Another merchant's product is indistinguishable from a missing one.
        raise NotFound("No such product.")
    return product


async def get_variant(db: AsyncSession, variant_id: int, *, field: str = "variant_id") -> Variant:
    variant = await db.get(Variant, variant_id)
    if variant is None or not variant.product.is_active:
        raise NotFound("No such product variant.", fields={field: "No such variant."})
    return variant


class ShopUnavailable(InvalidInput):
    code = "shop_unavailable"


def ensure_buyable(product: Product, field: str = "variant_id") -> None:
    """A suspended shop sells nothing (cart, checkout, the live sheet, a flash sale): 422 naming it."""
    if product.merchant.suspended:
        message = N_("%(name)s cannot be bought: its shop is unavailable.", name=product.name)
        raise ShopUnavailable(message, fields={field: message})


async def create_product(db: AsyncSession, merchant: Merchant, actor: User, data: ProductIn) -> Product:
    product = Product(
        merchant_id=merchant.id,
        name=data.name,
        description=data.description,
        category=data.category.value,
        images=[],
        variants=[],
    )
    db.add(product)
    await db.flush()
    await _attach_images(db, product, actor, data.image_upload_ids)
    for variant_in in data.variants:
        await add_variant(db, product, actor, variant_in)
    await refresh_search_text(db, product)
    return product


async def update_product(
    db: AsyncSession, merchant: Merchant, actor: User, product_id: int, data: ProductPatch
) -> Product:
    product = await get_own_product(db, merchant, product_id)
    for field in ("name", "description", "is_active", "category"):
        if (value := getattr(data, field)) is not None:
            setattr(product, field, value)
    if data.image_upload_ids is not None:
        product.images.clear()
        await db.flush()
        await _attach_images(db, product, actor, data.image_upload_ids)
    for patch in data.variants or []:
        if patch.id is None:
            await add_variant(db, product, actor, _complete_variant(patch))
        else:
            await _patch_variant(db, product, actor, patch)
    await refresh_search_text(db, product)
    return product


def _complete_variant(patch: VariantPatch) -> VariantIn:
    missing = {
        name: N_("Required for a new variant.")
        for name in ("sku", "name", "price")
        if getattr(patch, name) is None
    }
    if missing:
        raise InvalidInput("A new variant needs a SKU, a name and a price.", fields=missing)
    return VariantIn.model_validate(patch.model_dump(exclude={"id"}, exclude_none=True))


async def add_variant(db: AsyncSession, product: Product, actor: User, data: VariantIn) -> Variant:
    if await db.scalar(select(Variant.id).where(Variant.sku == data.sku)):
        raise AlreadyExists(N_("SKU %(sku)s is already used.", sku=data.sku), fields={"sku": "Already used."})
    variant = Variant(
        product_id=product.id,
        sku=data.sku,
        name=data.name,
        options=data.options,
        price_amount=data.price.amount,
        currency=data.price.currency,
        stock_on_hand=0,
        low_stock_threshold=data.low_stock_threshold,
    )
    db.add(variant)
    try:
        await db.flush()
    except IntegrityError:
        raise AlreadyExists(
            N_("SKU %(sku)s is already used.", sku=data.sku), fields={"sku": "Already used."}
        ) from None
    await set_stock_level(db, variant.id, data.stock_on_hand, StockReason.INITIAL, actor.id)
    await db.refresh(product, ["variants"])
    return variant


async def _patch_variant(db: AsyncSession, product: Product, actor: User, patch: VariantPatch) -> None:
    variant = next((v for v in product.variants if v.id == patch.id), None)
    if variant is None:
        raise NotFound(
            "No such variant on this product.",
            fields={"variants": N_("Unknown variant %(id)s.", id=patch.id)},
        )
    if patch.sku is not None and patch.sku != variant.sku:
        if await db.scalar(select(Variant.id).where(Variant.sku == patch.sku)):
            raise AlreadyExists(
                N_("SKU %(sku)s is already used.", sku=patch.sku), fields={"sku": "Already used."}
            )
        variant.sku = patch.sku
    if patch.name is not None:
        variant.name = patch.name
    if patch.options is not None:
        variant.options = patch.options
    if patch.price is not None:
        variant.price_amount, variant.currency = patch.price.amount, patch.price.currency
    if patch.low_stock_threshold is not None:
        variant.low_stock_threshold = patch.low_stock_threshold
    if patch.stock_on_hand is not None:
        await set_stock_level(db, variant.id, patch.stock_on_hand, StockReason.ADJUSTMENT, actor.id)


async def _attach_images(db: AsyncSession, product: Product, actor: User, upload_ids: list[int]) -> None:
    for position, upload_id in enumerate(upload_ids):
        upload = await db.get(Upload, upload_id)
        if upload is None or upload.owner_id != actor.id:
            raise NotFound(
                "No such upload.", fields={"image_upload_ids": N_("Unknown upload %(id)s.", id=upload_id)}
            )
        product.images.append(
            ProductImage(
                key=upload.key,
                thumb_key=upload.thumb_key,
                width=upload.width,
                height=upload.height,
                position=position,
            )
        )
    await db.flush()


async def refresh_search_text(db: AsyncSession, product: Product) -> None:
    await db.refresh(product, ["variants", "merchant"])
    product.search_text = search.normalise(
        product.name,
        product.description,
        product.merchant.name,
        *(f"{v.name} {v.sku}" for v in product.variants),
    )
    await db.flush()


async def stock_history(db: AsyncSession, variant_id: int, limit: int = 50) -> Sequence[StockMovement]:
    stmt = select(StockMovement).where(StockMovement.variant_id == variant_id)
    return (await db.scalars(stmt.order_by(StockMovement.id.desc()).limit(limit))).all()


async def count_products(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count(Product.id))) or 0)


async def cover_thumbs(db: AsyncSession, product_ids: set[int]) -> dict[int, str]:
    """Each product's first image's thumbnail key (products without images are absent)."""
    if not product_ids:
        return {}
    stmt = (
        select(ProductImage.product_id, ProductImage.thumb_key)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.position.desc(), ProductImage.id.desc())
    )
    # Ordered so the first image (lowest position) is written last and wins.
    return {int(row.product_id): str(row.thumb_key) for row in (await db.execute(stmt)).all()}
