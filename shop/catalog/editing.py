"""Saving a product from the dashboard's form: details, ordered images, variant rows, thresholds.

Unlike `PATCH /api/v1/products/{id}`, the form sends the whole product: images as kept ones
(`image_id`) and new uploads (`upload_id`) in their order, and every variant row (new rows have
no id; a row may ask to be removed). Stock is not on the form: it moves only by adjustments.

Everything the database can refuse is checked first and reported together (`InvalidInput` with a
field per problem, a variant that cannot be removed included), so a 422 names every mistake
and nothing is written; the request is the transaction, so any later refusal writes nothing either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol, Self

from pydantic import AfterValidator, Field, model_validator
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.catalog import services
from shop.catalog.models import Product, ProductCategory, ProductImage, Variant
from shop.catalog.schemas import MoneyIn, ProductIn, VariantIn
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.core.schemas import Input
from shop.notes.models import Upload

BoundedId = Annotated[int, Field(ge=1, le=2**53)]


def _options(value: dict[str, str]) -> dict[str, str]:
    for key, option in value.items():
        if not 1 <= len(key) <= 40 or not 1 <= len(option) <= 80:
            raise ValueError(N_("Each option is a name (1 to 40 characters) and a value (1 to 80)."))
    return value


class ImageRef(Input):
    """A photo kept from the product (`image_id`) or just uploaded through the gate (`upload_id`)."""

    image_id: BoundedId | None = None
    upload_id: BoundedId | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.image_id is None) == (self.upload_id is None):
            raise ValueError(N_("Each photo is either kept (image_id) or new (upload_id)."))
        return self


class VariantRowIn(Input):
    id: BoundedId | None = None
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=120)
    options: Annotated[dict[str, str], AfterValidator(_options)] = Field(default_factory=dict, max_length=5)
    price: MoneyIn
    low_stock_threshold: int = Field(default=0, ge=0, le=1_000_000)
    remove: bool = False


class ProductFormIn(Input):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=5000)
    category: ProductCategory = ProductCategory.OTHER
    images: list[ImageRef] = Field(default_factory=list, max_length=9)
    variants: list[VariantRowIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _something_to_sell(self) -> Self:
        if all(row.remove for row in self.variants):
            raise ValueError(N_("Keep at least one variant."))
        refs = [(ref.image_id, ref.upload_id) for ref in self.images]
        if len(set(refs)) != len(refs):
            raise ValueError(N_("The same photo is in the list twice."))
        return self


async def save_product(
    db: AsyncSession, shop: Merchant, actor: User, product_id: int | None, form: ProductFormIn
) -> Product:
    product = await services.get_own_product(db, shop, product_id) if product_id else None
    if errors := await _problems(db, actor, product, form):
        raise InvalidInput("Some fields need another look.", fields=errors)
    if product is None:
        return await services.create_product(db, shop, actor, _as_new(form))
    product.name, product.description, product.category = form.name, form.description, form.category.value
    await _place_images(db, product, form.images)
    for row in form.variants:
        await _save_row(db, product, actor, row)
    await services.refresh_search_text(db, product)
    return product


def _as_new(form: ProductFormIn) -> ProductIn:
    rows = [row for row in form.variants if not row.remove]
    return ProductIn(
        name=form.name,
        description=form.description,
        category=form.category,
        image_upload_ids=[ref.upload_id for ref in form.images if ref.upload_id],
        variants=[VariantIn(**row.model_dump(exclude={"id", "remove"}), stock_on_hand=0) for row in rows],
    )


class RowKey(Protocol):
    """What the row checks need of a variant row (the schema's rows, or the raw form's)."""

    id: int | None
    sku: str
    remove: bool


async def _problems(
    db: AsyncSession, actor: User, product: Product | None, form: ProductFormIn
) -> dict[str, str]:
    errors: dict[str, str] = {}
    kept_images = {image.id for image in product.images} if product else set()
    uploads = [ref.upload_id for ref in form.images if ref.upload_id]
    owned = select(Upload.id).where(Upload.id.in_(uploads), Upload.owner_id == actor.id)
    known: set[int | str] = {*kept_images} | {f"u{upload_id}" for upload_id in await db.scalars(owned)}
    if any((ref.image_id or f"u{ref.upload_id}") not in known for ref in form.images):
        errors["images"] = "A photo is missing: upload it again."
    return {**errors, **await row_problems(db, product, form.variants)}


async def row_problems(db: AsyncSession, product: Product | None, rows: Sequence[RowKey]) -> dict[str, str]:
    """SKUs used twice or by another variant, rows of another product, removals that cannot be.
    Also asked when other fields failed, so one 422 names every mistake."""
    errors: dict[str, str] = {}
    own_variants = {variant.id: variant for variant in product.variants} if product else {}
    skus = [row.sku for row in rows if not row.remove and row.sku]
    found = await db.execute(select(Variant.sku, Variant.id).where(Variant.sku.in_(skus)))
    taken: dict[str, int] = dict(found.all())
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.id is not None and row.id not in own_variants:
            errors[f"variants.{index}"] = N_("This variant is not on this product any more.")
        elif (
            row.remove and row.id is not None and (problem := await _cannot_remove(db, own_variants[row.id]))
        ):
            errors[f"variants.{index}"] = problem
        if row.remove or not row.sku:
            continue
        if row.sku in first:
            errors[f"variants.{index}.sku"] = N_("Also on row %(n)s.", n=first[row.sku] + 1)
        elif taken.get(row.sku, row.id) != row.id:
            errors[f"variants.{index}.sku"] = N_("SKU %(sku)s is already used.", sku=row.sku)
        first.setdefault(row.sku, index)
    return errors


async def _place_images(db: AsyncSession, product: Product, refs: list[ImageRef]) -> None:
    """The product's photos become exactly `refs`, in order: kept rows move, new ones are added."""
    existing = {image.id: image for image in product.images}
    placed: list[ProductImage] = []
    for position, ref in enumerate(refs):
        if ref.image_id:
            image = existing[ref.image_id]
        else:
            upload = await db.get(Upload, ref.upload_id)
            assert upload is not None  # checked in _problems
            image = ProductImage(key=upload.key, thumb_key=upload.thumb_key, width=upload.width,
                                 height=upload.height)  # fmt: skip
        image.position = position
        placed.append(image)
    product.images = placed  # the ones left out are orphans, deleted with the flush
    await db.flush()


async def _save_row(db: AsyncSession, product: Product, actor: User, row: VariantRowIn) -> None:
    if row.id is None:
        if not row.remove:
            new = VariantIn(**row.model_dump(exclude={"id", "remove"}))
            await services.add_variant(db, product, actor, new)
        return
    variant = next(v for v in product.variants if v.id == row.id)
    if row.remove:  # checked in _problems; its cart lines and movements go too (ON DELETE CASCADE)
        await db.delete(variant)
        await db.flush()
        return
    variant.sku, variant.name, variant.options = row.sku, row.name, row.options
    variant.price_amount, variant.currency = row.price.amount, row.price.currency
    variant.low_stock_threshold = row.low_stock_threshold
    await db.flush()


async def _cannot_remove(db: AsyncSession, variant: Variant) -> str | None:
    """Only a variant nobody bought, held or put in a flash sale, with no stock left, may go."""
    if variant.stock_on_hand:
        return N_(
            "%(n)s in stock: adjust it to 0 first (reason: correction or damage).", n=variant.stock_on_hand
        )
    if await _kept_by_others(db, variant.id):
        return N_("Orders or a flash sale refer to this variant, so it stays; archive the product instead.")
    return None


async def _kept_by_others(db: AsyncSession, variant_id: int) -> bool:
    """Does any row refer to the variant through a key that forbids deleting it (order lines, holds,
    flash sales…)? Read from the metadata, so a table added later is covered without a change here."""
    target = Variant.__table__.c.id
    blocking = [
        key
        for table in Variant.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column is target and (key.ondelete or "").upper() not in ("CASCADE", "SET NULL")
    ]
    for key in blocking:
        if await db.scalar(select(exists().where(key.parent == variant_id))):
            return True
    return False
