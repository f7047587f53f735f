"""What a deal lets its creator sell: its products while it runs, and flash sales within its terms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.core.i18n import N_
from shop.deals.models import SELLING_DEAL_STATES, Deal, Offer, OfferProduct


def products_in_deals_with(user_id: int) -> Select[Any]:
    """The ids of products in a running deal with this creator (a subquery for selling rights)."""
    return (
        select(OfferProduct.product_id)
        .join(Deal, Deal.offer_id == OfferProduct.offer_id)
        .where(Deal.creator_id == user_id, Deal.status.in_(SELLING_DEAL_STATES))
    )


def in_deal_with(user_id: int, product_id: Any) -> ColumnElement[bool]:
    return product_id.in_(products_in_deals_with(user_id))


async def selling_deal(
    db: AsyncSession, creator_id: int, product_id: int, term: ColumnElement[bool], *, newest: bool = False
) -> Deal | None:
    """A running deal of `creator_id`'s on `product_id` whose offer has `term` (the oldest, or the
    newest with `newest`)."""
    stmt = (
        select(Deal)
        .join(Offer, Offer.id == Deal.offer_id)
        .join(OfferProduct, OfferProduct.offer_id == Offer.id)
        .where(
            Deal.creator_id == creator_id,
            Deal.status.in_(SELLING_DEAL_STATES),
            OfferProduct.product_id == product_id,
            term,
        )
        .order_by(Deal.id.desc() if newest else Deal.id)
    )
    return (await db.scalars(stmt.limit(1))).first()


async def flash_sale_deal(db: AsyncSession, host_id: int, product_id: int) -> Deal | None:
    """The running deal whose flash-sale terms let `host_id` run a sale on another shop's product."""
    return await selling_deal(db, host_id, product_id, Offer.flash_max_quantity.is_not(None))


async def commission_deal(db: AsyncSession, creator_id: int, product_id: int) -> Deal | None:
    """The newest running deal that pays `creator_id` a commission on `product_id`."""
    return await selling_deal(db, creator_id, product_id, Offer.commission_bps.is_not(None), newest=True)


def terms_refusal(
    offer: Offer, *, quantity: int, price: int, currency: str, per_customer_limit: int, allocated: int
) -> dict[str, str]:
    """Field errors for a flash sale outside the deal's terms (`allocated`: its earlier sales)."""
    fields: dict[str, str] = {}
    left = (offer.flash_max_quantity or 0) - allocated
    if quantity > left:
        fields["quantity"] = N_("The deal allows %(n)s more.", n=max(left, 0))
    if currency != offer.currency or price < (offer.flash_min_price or 1):
        fields["price"] = N_(
            "At least %(amount)s %(currency)s, the deal's minimum.",
            amount=offer.flash_min_price,
            currency=offer.currency,
        )
    if per_customer_limit > (offer.flash_per_customer_limit or 0):
        fields["per_customer_limit"] = N_(
            "At most %(n)s, the deal's limit.", n=offer.flash_per_customer_limit
        )
    return fields
