"""The audit's I2 on every sale at once: the flash-sale books (`services.ledger` checks one sale).

A hold counts while it is sold, or held and not yet expired: what the gate counts (`services.books`),
so a hold that ran out but the sweeper has not marked yet never makes a sale look oversold. Then
available = quantity - sold - held must be ≥ 0 (so sold + held + available = quantity), and each
customer's sold + held ≤ the sale's per-customer limit. Registered with `shop.audit.checks` by the
composition root (`shop.wiring.register_live`), since shop does not import live.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from shop.audit.findings import Finding, finding
from shop.core import clock


async def flash_sale_books(db: AsyncSession, check: str) -> Finding:
    counting = or_(
        FlashSaleHold.state == SaleHoldState.SOLD,
        and_(FlashSaleHold.state == SaleHoldState.HELD, FlashSaleHold.expires_at > clock.now()),
    )
    units = func.sum(FlashSaleHold.quantity).label("units")
    per_sale = select(FlashSaleHold.sale_id, units).where(counting).group_by(FlashSaleHold.sale_id).subquery()
    per_customer = (
        select(FlashSaleHold.sale_id, units)
        .where(counting)
        .group_by(FlashSaleHold.sale_id, FlashSaleHold.user_id)
        .subquery()
    )
    oversold = (
        select(FlashSale.id)
        .join(per_sale, per_sale.c.sale_id == FlashSale.id)
        .where(per_sale.c.units > FlashSale.quantity)
    )
    over_limit = (
        select(FlashSale.id)
        .join(per_customer, per_customer.c.sale_id == FlashSale.id)
        .where(per_customer.c.units > FlashSale.per_customer_limit)
        .distinct()
    )
    offenders = [int(i) for q in (oversold, over_limit) for i in (await db.scalars(q)).all()]
    return finding(check, sales=offenders)
