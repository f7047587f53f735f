from __future__ import annotations

from pydantic import Field

from shop.cart.models import Cart, SourceType
from shop.catalog.schemas import ImageOut
from shop.core.schemas import MAX_ID, Input, MoneyOut, Output

MAX_LINE_QUANTITY = 99


class SourceIn(Input):
    type: SourceType
    id: int | None = Field(default=None, ge=1, le=MAX_ID)


class AddLineIn(Input):
    variant_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(default=1, ge=1, le=MAX_LINE_QUANTITY)
    source: SourceIn | None = None


class UpdateLineIn(Input):
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY)


class SourceOut(Output):
    type: str
    id: int | None


class CartLineOut(Output):
    id: int
    variant_id: int = Field(ge=1, le=MAX_ID)
    product_id: int
    name: str
    variant_name: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut
    available: int
    image: ImageOut | None
    source: SourceOut


class CartOut(Output):
    lines: list[CartLineOut]
    subtotal: MoneyOut
    item_count: int


def cart_out(cart: Cart | None) -> CartOut:
    from shop.catalog.schemas import image_out

    lines: list[CartLineOut] = []
    for line in cart.lines if cart else []:
        variant = line.variant
        product = variant.product
        cover = product.images[0] if product.images else None
        lines.append(
            CartLineOut(
                id=line.id,
                variant_id=variant.id,
                product_id=product.id,
                name=product.name,
                variant_name=variant.name,
                quantity=line.quantity,
                unit_price=MoneyOut(amount=variant.price_amount, currency=variant.currency),
                line_total=MoneyOut(amount=variant.price_amount * line.quantity, currency=variant.currency),
                available=variant.available,
                image=image_out(cover.thumb_key, cover.width, cover.height) if cover else None,
                source=SourceOut(type=line.source_type, id=line.source_id),
            )
        )
    currency = lines[0].unit_price.currency if lines else "USD"
    subtotal = MoneyOut(amount=sum(ln.line_total.amount for ln in lines), currency=currency)
    return CartOut(lines=lines, subtotal=subtotal, item_count=sum(ln.quantity for ln in lines))
