"""Flash-sale rules: launch (allocate stock), reserve through the gate, expire, and the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import gate as g
from live.flash_sales import holding
from live.flash_sales.facts import SaleFacts
from live.flash_sales.holding import HOLD_CAP, REFUSALS, SaleRefused, books, terms
from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState, status_of
from live.flash_sales.schemas import FlashSaleIn, LedgerOut, ViewerLimitOut
from live.models import Stream, StreamStatus
from live.partnership import allocated_to_deal
from live.services import product_card, shelf
from shop.catalog.models import Product, StockReason, Variant
from shop.catalog.services import ensure_buyable
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.deals import rights as deal_rights
from shop.inventory.locks import lock_variants
from shop.inventory.services import held_quantities, move_stock

# The reservation rules live in holding.py; these names stay importable from here.
__all__ = ["HOLD_CAP", "REFUSALS", "SaleRefused", "books", "status_of", "terms"]


def now() -> datetime:
    return clock.now()


async def _allocate(db: AsyncSession, variant_id: int, quantity: int, host_id: int) -> None:
    """The sale's units leave the variant at launch, never units a paying shopper holds."""
    variant = (await lock_variants(db, [variant_id]))[variant_id]
    held = (await held_quantities(db, [variant_id])).get(variant_id, 0)
    if variant.stock_on_hand - held < quantity:
        raise InvalidInput(
            "Not enough stock on hand for that quantity.", fields={"quantity": "More than in stock."}
        )
    await move_stock(db, variant_id, -quantity, StockReason.FLASH_SALE, host_id)


async def launch(db: AsyncSession, stream: Stream, data: FlashSaleIn, hold_seconds: int) -> FlashSale:
    if stream.status == StreamStatus.ENDED:
        raise Conflict("The stream has ended.")
    variant = await db.get(Variant, data.variant_id)
    if variant is None or variant.product_id not in {p.id for p in await shelf(db, stream)}:
        raise NotFound("No such variant on this stream's shelf.", fields={"variant_id": "Not on the shelf."})
    ensure_buyable(variant.product)
    deal_id = await _deal_allowing(db, stream, variant, data)
    if data.price.amount < 1:
        raise InvalidInput("A deal price must be above zero.", fields={"price": "Above zero."})
    if data.price.currency != variant.currency or data.price.amount >= variant.price_amount:
        raise InvalidInput(
            "The deal price must be below the regular price, in the same currency.",
            fields={
                "price": N_(
                    "Below %(amount)s %(currency)s.", amount=variant.price_amount, currency=variant.currency
                )
            },
        )
    if data.per_customer_limit > data.quantity:
        raise InvalidInput(fields={"per_customer_limit": "At most the sale quantity."})
    await _allocate(db, variant.id, data.quantity, stream.host_id)
    starts = now() + timedelta(seconds=data.countdown_s)
    sale = FlashSale(
        stream_id=stream.id,
        variant_id=variant.id,
        quantity=data.quantity,
        price_amount=data.price.amount,
        currency=data.price.currency,
        per_customer_limit=data.per_customer_limit,
        starts_at=starts,
        ends_at=starts + timedelta(seconds=data.duration_s),
        hold_seconds=hold_seconds,
        deal_id=deal_id,
    )
    db.add(sale)
    await db.flush()
    return sale


async def _deal_allowing(db: AsyncSession, stream: Stream, variant: Variant, data: FlashSaleIn) -> int | None:
    """None for the host shop's own product. Selling another shop's stock at a sale price takes that
    shop's terms: a running deal's flash-sale terms (a collaboration sells at the regular price)."""
    if variant.product.merchant_id == stream.merchant_id:
        return None
    deal = await deal_rights.flash_sale_deal(db, stream.host_id, variant.product_id)
    if deal is None:
        raise InvalidInput(
            "A flash sale needs your own shop's product, or a deal with flash-sale terms.",
            fields={"variant_id": N_("Product %(id)s is not your shop's.", id=variant.product_id)},
        )
    allocated = await allocated_to_deal(db, deal.id)
    refused = deal_rights.terms_refusal(
        deal.offer,
        quantity=data.quantity,
        price=data.price.amount,
        currency=data.price.currency,
        per_customer_limit=data.per_customer_limit,
        allocated=allocated,
    )
    if refused:
        raise InvalidInput("The flash sale is outside the deal's terms.", fields=refused)
    return deal.id


async def reserve(
    db: AsyncSession, gate: g.Gate, sale_id: int, user_id: int, quantity: int, *, max_held: int = 10
) -> tuple[FlashSaleHold, int, SaleFacts]:
    """`holding.admit`, its ledger row added to `db`: the caller commits it, or gives the gate's hold
    back if that fails (the reservation endpoint writes through the group writer instead)."""
    admitted = await holding.admit(db, gate, sale_id, user_id, quantity, max_held=max_held)
    hold = FlashSaleHold(**admitted.row)
    db.add(hold)
    return hold, admitted.remaining, admitted.sale


async def expire(db: AsyncSession, gate: g.Gate) -> dict[int, int]:
    """held → expired for holds past their time, once each; returns {sale id: units returned}."""
    due = (
        await db.scalars(
            select(FlashSaleHold).where(
                FlashSaleHold.state == SaleHoldState.HELD, FlashSaleHold.expires_at <= now()
            )
        )
    ).all()
    returned: dict[int, int] = {}
    for hold in due:
        changed = await db.execute(
            update(FlashSaleHold)
            .where(FlashSaleHold.id == hold.id, FlashSaleHold.state == SaleHoldState.HELD)
            .values(state=SaleHoldState.EXPIRED)
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            await gate.release(hold.sale_id, hold.reservation_id)
            returned[hold.sale_id] = returned.get(hold.sale_id, 0) + hold.quantity
    return returned


async def ledger(db: AsyncSession, gate: g.Gate | None, sale: FlashSale) -> LedgerOut:
    totals = dict(
        (
            await db.execute(
                select(FlashSaleHold.state, func.coalesce(func.sum(FlashSaleHold.quantity), 0))
                .where(FlashSaleHold.sale_id == sale.id)
                .group_by(FlashSaleHold.state)
            )
        ).all()
    )
    sold, held = int(totals.get(SaleHoldState.SOLD, 0)), int(totals.get(SaleHoldState.HELD, 0))
    released = int(totals.get(SaleHoldState.RELEASED, 0)) + int(totals.get(SaleHoldState.EXPIRED, 0))
    available = sale.quantity - sold - held
    gate_view = await gate.remaining(sale.id) if gate is not None else None
    consistent = gate_view is None or gate_view <= available  # the gate may lag a commit, never lead it
    return LedgerOut(
        quantity=sale.quantity,
        sold=sold,
        held=held,
        available=available,
        released=released,
        invariant_ok=available >= 0 and sold + held + available == sale.quantity and consistent,
    )


async def sale_view(db: AsyncSession, gate: g.Gate | None, sale: FlashSale) -> dict[str, Any]:
    """What the room shows of a sale: the counts from the ledger, the product and its regular price
    (`live.cards.current_sale` reads the same view as plain rows, for a room's answers)."""
    counts = await ledger(db, gate, sale)
    variant = await db.get(Variant, sale.variant_id)
    assert variant is not None
    # Fresh rows: the sweeper may have just moved this variant's stock in this session.
    product = await db.scalar(
        select(Product).where(Product.id == variant.product_id).execution_options(populate_existing=True)
    )
    assert product is not None
    return {
        "id": sale.id,
        "stream_id": sale.stream_id,
        "variant_id": sale.variant_id,
        "variant_name": variant.name,
        "status": status_of(sale),
        "quantity": sale.quantity,
        "remaining": counts.available,
        "per_customer_limit": sale.per_customer_limit,
        "price": {"amount": sale.price_amount, "currency": sale.currency},
        "list_price": {"amount": variant.price_amount, "currency": variant.currency},
        "starts_at": sale.starts_at.isoformat(),
        "ends_at": sale.ends_at.isoformat(),
        "product": product_card(product),
    }


async def viewer_books(db: AsyncSession, sale: FlashSale | SaleFacts, user_id: int) -> ViewerLimitOut:
    """What one viewer has against the per-customer limit: live holds and bought units."""
    rows = await db.execute(
        select(FlashSaleHold.state, func.coalesce(func.sum(FlashSaleHold.quantity), 0))
        .where(
            FlashSaleHold.sale_id == sale.id,
            FlashSaleHold.user_id == user_id,
            (FlashSaleHold.state == SaleHoldState.SOLD)
            | ((FlashSaleHold.state == SaleHoldState.HELD) & (FlashSaleHold.expires_at > now())),
        )
        .group_by(FlashSaleHold.state)
    )
    totals = {state: int(total) for state, total in rows.all()}
    held, bought = totals.get(SaleHoldState.HELD, 0), totals.get(SaleHoldState.SOLD, 0)
    return ViewerLimitOut(
        flash_sale_id=sale.id,
        per_customer_limit=sale.per_customer_limit,
        held=held,
        bought=bought,
        left=max(sale.per_customer_limit - held - bought, 0),
    )
