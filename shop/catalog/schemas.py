from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shop.accounts.schemas import MerchantRef
from shop.catalog.models import Product, ProductCategory, Variant
from shop.core.i18n import N_
from shop.core.money import CURRENCIES, MAX_CHARGE
from shop.core.schemas import MAX_ID, Id, Input, MoneyOut, Output, Word


def _currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError(N_("Use an ISO 4217 code that cards can be charged in, such as USD."))
    return value


class MoneyIn(Input):
    """A price someone sets (a variant, a flash sale, a fee, a deal's floor): never zero."""

    amount: int = Field(ge=1, le=MAX_CHARGE, description="minor units, above zero")
    currency: Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]


class VariantIn(Input):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=120)
    options: dict[Word, Word] = Field(default_factory=dict, max_length=5)
    price: MoneyIn
    stock_on_hand: int = Field(default=0, ge=0, le=1_000_000)
    low_stock_threshold: int = Field(default=0, ge=0, le=1_000_000)


class VariantPatch(Input):
    id: int | None = Field(default=None, ge=1, le=MAX_ID)
    sku: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    options: dict[Word, Word] | None = Field(default=None, max_length=5)
    price: MoneyIn | None = None
    stock_on_hand: int | None = Field(default=None, ge=0, le=1_000_000)
    low_stock_threshold: int | None = Field(default=None, ge=0, le=1_000_000)


class ProductIn(Input):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=5000)
    image_upload_ids: list[Id] = Field(default_factory=list, max_length=9)
    variants: list[VariantIn] = Field(min_length=1, max_length=50)
    category: ProductCategory = ProductCategory.OTHER


class ProductPatch(Input):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None
    category: ProductCategory | None = None
    image_upload_ids: list[Id] | None = Field(default=None, max_length=9)
    variants: list[VariantPatch] | None = Field(default=None, max_length=50)


class ImageOut(Output):
    url: str
    width: int
    height: int


class VariantOut(Output):
    id: int
    sku: str
    name: str
    options: dict[str, str]
    price: MoneyOut
    available: int


class ProductOut(Output):
    id: int
    name: str
    description: str
    merchant: MerchantRef
    images: list[ImageOut]
    variants: list[VariantOut]
    note_count: int
    is_active: bool
    category: str
    category_label: str
    # unverified | verified | suspended: a suspended shop's products cannot be bought.
    shop_status: str


class ProductCardOut(Output):
    id: int
    name: str
    merchant: MerchantRef
    image: ImageOut | None
    price: MoneyOut | None
    available: int


class ProductPage(Output):
    items: list[ProductCardOut]
    next_cursor: str | None


def image_out(key: str, width: int, height: int) -> ImageOut:
    from shop.core.storage import media_url

    return ImageOut(url=media_url(key), width=width, height=height)


def variant_out(variant: Variant) -> VariantOut:
    return VariantOut(
        id=variant.id,
        sku=variant.sku,
        name=variant.name,
        options=variant.options,
        price=MoneyOut(amount=variant.price_amount, currency=variant.currency),
        available=variant.available,
    )


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.id,
        name=product.name,
        description=product.description,
        merchant=MerchantRef(id=product.merchant.id, name=product.merchant.name),
        images=[image_out(i.key, i.width, i.height) for i in product.images],
        variants=[variant_out(v) for v in product.variants],
        note_count=product.note_count,
        is_active=product.is_active,
        category=product.category,
        category_label=ProductCategory(product.category).label,
        shop_status=product.merchant.status,
    )


def product_card_out(product: Product) -> ProductCardOut:
    cheapest = min(product.variants, key=lambda v: v.price_amount, default=None)
    cover = product.images[0] if product.images else None
    return ProductCardOut(
        id=product.id,
        name=product.name,
        merchant=MerchantRef(id=product.merchant.id, name=product.merchant.name),
        image=image_out(cover.thumb_key, cover.width, cover.height) if cover else None,
        price=MoneyOut(amount=cheapest.price_amount, currency=cheapest.currency) if cheapest else None,
        available=sum(v.available for v in product.variants),
    )
