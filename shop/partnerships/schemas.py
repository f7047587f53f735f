from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from shop.catalog.models import Product
from shop.core.money import share_bps
from shop.core.schemas import Input, MoneyOut, Output
from shop.core.storage import media_url
from shop.partnerships.models import Collaboration

if TYPE_CHECKING:
    from shop.partnerships.services import PendingRate, Rates
    from shop.partnerships.showcase import Shown


class CollaborationIn(Input):
    product_id: int = Field(ge=1, le=2**53)
    commission_bps: int = Field(ge=100, le=8000, description="1% to 80%, in basis points")


class RateIn(Input):
    commission_bps: int = Field(
        ge=100, le=8000, description="A raise applies now; a cut after COMMISSION_NOTICE_DAYS"
    )


class PendingOut(Output):
    """An announced cut: orders placed from `effective_at` on earn `commission_bps`."""

    commission_bps: int
    effective_at: datetime


class CollaborationOut(Output):
    id: int
    product_id: int
    commission_bps: int = Field(description="The rate in force now")
    status: str
    pending: PendingOut | None


class CollabProductOut(Output):
    id: int
    name: str
    price: MoneyOut | None
    image_url: str | None
    category: str


class CollabMerchantOut(Output):
    id: int
    name: str


class CollaborationCard(Output):
    id: int
    product: CollabProductOut
    merchant: CollabMerchantOut
    commission_bps: int = Field(description="The rate in force now")
    pending: PendingOut | None
    earn_per_sale: MoneyOut | None = Field(description="The commission on one unit at the lowest price")


class CollaborationPage(Output):
    items: list[CollaborationCard]
    next_cursor: str | None


class ShowcaseIn(Input):
    product_id: int = Field(ge=1, le=2**53)


class ShowcaseItemOut(Output):
    product: CollabProductOut
    merchant: CollabMerchantOut
    commission_bps: int | None = Field(description="The open collaboration's rate in force now, if any")
    pending: PendingOut | None
    added_at: datetime


class ShowcasePage(Output):
    items: list[ShowcaseItemOut]
    next_cursor: str | None


def pending_out(pending: PendingRate | None) -> PendingOut | None:
    if pending is None:
        return None
    return PendingOut(commission_bps=pending.commission_bps, effective_at=pending.effective_at)


def collaboration_out(row: Collaboration, rates: Rates) -> CollaborationOut:
    return CollaborationOut(
        id=row.id,
        product_id=row.product_id,
        commission_bps=rates.commission_bps,
        status=row.status,
        pending=pending_out(rates.pending),
    )


def product_brief(product: Product) -> tuple[CollabProductOut, CollabMerchantOut]:
    cheapest = min(product.variants, key=lambda v: v.price_amount, default=None)
    cover = product.images[0] if product.images else None
    brief = CollabProductOut(
        id=product.id,
        name=product.name,
        price=MoneyOut(amount=cheapest.price_amount, currency=cheapest.currency) if cheapest else None,
        image_url=media_url(cover.thumb_key) if cover else None,
        category=product.category,
    )
    return brief, CollabMerchantOut(id=product.merchant.id, name=product.merchant.name)


def collaboration_card(row: Collaboration, rates: Rates) -> CollaborationCard:
    product, merchant = product_brief(row.product)
    earn = (
        MoneyOut(
            amount=share_bps(product.price.amount, rates.commission_bps), currency=product.price.currency
        )
        if product.price
        else None
    )
    return CollaborationCard(
        id=row.id,
        product=product,
        merchant=merchant,
        commission_bps=rates.commission_bps,
        pending=pending_out(rates.pending),
        earn_per_sale=earn,
    )


def showcase_item_out(shown: Shown) -> ShowcaseItemOut:
    product, merchant = product_brief(shown.product)
    rates = shown.rates
    return ShowcaseItemOut(
        product=product,
        merchant=merchant,
        commission_bps=rates.commission_bps if rates else None,
        pending=pending_out(rates.pending) if rates else None,
        added_at=shown.item.added_at,
    )
