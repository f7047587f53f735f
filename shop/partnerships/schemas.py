from __future__ import annotations

from pydantic import Field

from shop.core.schemas import Input, MoneyOut, Output
from shop.partnerships.models import Collaboration


class CollaborationIn(Input):
    product_id: int = Field(ge=1, le=2**53)
    commission_bps: int = Field(ge=100, le=8000, description="1% to 80%, in basis points")


class CollaborationOut(Output):
    id: int
    product_id: int
    commission_bps: int
    status: str


class CollabProductOut(Output):
    id: int
    name: str
    price: MoneyOut | None


class CollabMerchantOut(Output):
    id: int
    name: str


class CollaborationCard(Output):
    id: int
    product: CollabProductOut
    merchant: CollabMerchantOut
    commission_bps: int


class CollaborationPage(Output):
    items: list[CollaborationCard]
    next_cursor: str | None


def collaboration_card(row: Collaboration) -> CollaborationCard:
    product = row.product
    cheapest = min(product.variants, key=lambda v: v.price_amount, default=None)
    price = MoneyOut(amount=cheapest.price_amount, currency=cheapest.currency) if cheapest else None
    return CollaborationCard(
        id=row.id,
        product=CollabProductOut(id=product.id, name=product.name, price=price),
        merchant=CollabMerchantOut(id=product.merchant.id, name=product.merchant.name),
        commission_bps=row.commission_bps,
    )
