""" "Action needed": what waits for the merchant, each with a count and where it is done (5 queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import Refund, RefundStatus
from shop.accounts.models import Merchant
from shop.catalog.models import Product
from shop.core import clock
from shop.core.i18n import ngettext
from shop.deals.models import Deal, DealStatus, Offer, OfferStatus
from shop.inventory.levels import needs_restock
from shop.orders.models import FulfilmentLine, Order, OrderLine, OrderStatus

EXPIRING_SOON = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Action:
    key: str
    count: int
    label: str  # in the reader's language, singular or plural by the count
    url: str


async def actions(db: AsyncSession, shop: Merchant) -> list[Action]:
    unshipped, refunds = await _unshipped(db, shop), await _refunds_pending(db, shop)
    low, reviews, offers = (
        await _low_stock(db, shop),
        await _reviews(db, shop),
        await _expiring_offers(db, shop),
    )
    found = [
        Action(
            "unshipped",
            unshipped,
            ngettext("paid order to ship", "paid orders to ship", unshipped),
            "/dashboard/orders?shipped=no",
        ),
        Action(
            "refunds",
            refunds,
            ngettext("refund waiting for Stripe", "refunds waiting for Stripe", refunds),
            "/dashboard/orders?refund=pending",
        ),
        Action(
            "stock",
            low,
            ngettext("product running low or out of stock", "products running low or out of stock", low),
            "/dashboard/products?stock=low",
        ),
        Action(
            "reviews",
            reviews,
            ngettext("deal waiting for your review", "deals waiting for your review", reviews),
            "/deals",
        ),
        Action(
            "offers",
            offers,
            ngettext("offer expiring within 2 days", "offers expiring within 2 days", offers),
            "/deals?tab=offers",
        ),
    ]
    return [a for a in found if a.count]


async def _unshipped(db: AsyncSession, shop: Merchant) -> int:
    """Paid orders with a line of this shop not shipped and not refunded in full. Driven from the
    orders still waiting (the status index), not from every line the shop ever sold."""
    shipped = select(FulfilmentLine.order_line_id)
    waiting = exists().where(
        OrderLine.order_id == Order.id,
        OrderLine.merchant_id == shop.id,
        OrderLine.id.not_in(shipped),
        OrderLine.refunded_amount < OrderLine.unit_amount * OrderLine.quantity,
    )
    stmt = select(func.count(Order.id)).where(
        Order.status.in_([OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED]), waiting
    )
    return int(await db.scalar(stmt) or 0)


async def _refunds_pending(db: AsyncSession, shop: Merchant) -> int:
    stmt = select(func.count(Refund.id)).where(
        Refund.merchant_id == shop.id, Refund.status.in_([RefundStatus.PENDING, RefundStatus.SENDING])
    )
    return int(await db.scalar(stmt) or 0)


async def _low_stock(db: AsyncSession, shop: Merchant) -> int:
    """Active products with a variant whose available stock (on hand less live holds) is at or under
    its low-stock threshold: the catalog page's "low stock" filter, counted."""
    stmt = select(func.count(Product.id)).where(
        Product.merchant_id == shop.id, Product.is_active.is_(True), Product.id.in_(needs_restock())
    )
    return int(await db.scalar(stmt) or 0)


async def _reviews(db: AsyncSession, shop: Merchant) -> int:
    stmt = select(func.count(Deal.id)).where(Deal.merchant_id == shop.id, Deal.status == DealStatus.SUBMITTED)
    return int(await db.scalar(stmt) or 0)


async def _expiring_offers(db: AsyncSession, shop: Merchant) -> int:
    stmt = select(func.count(Offer.id)).where(
        Offer.merchant_id == shop.id,
        Offer.status == OfferStatus.SENT,
        Offer.expires_at <= clock.now() + EXPIRING_SOON,
    )
    return int(await db.scalar(stmt) or 0)
