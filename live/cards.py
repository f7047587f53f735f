"""A room's product cards and its current flash sale, read as plain rows: one statement each.

A pin is a live room's most frequent write: the host pins and unpins all through a show, and each
answer carries the shelf and the sale. Read as ORM entities, the shelf took three statements
(products joined to their shop and its owner, then their images, then their variants) and the sale
three (its row, the ledger's sums, its variant), and most of the request went on building objects
that were dropped at once. Here the same cards come from Core rows, shaped as `services.product_card` shapes
an entity (a test holds the two to the same output), and the sale's `remaining` is the ledger's
`available`: its quantity less what is sold or held.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState, status_of
from live.models import StreamProduct
from shop.catalog.models import Product, ProductImage, Variant
from shop.core import clock
from shop.core.storage import media_url

Card = dict[str, Any]

_P, _V, _I = Product.__table__.c, Variant.__table__.c, ProductImage.__table__.c
_SHELVED, _SALE, _HOLD = StreamProduct.__table__, FlashSale.__table__.c, FlashSaleHold.__table__.c

_FIRST_THUMB = (
    select(_I.thumb_key).where(_I.product_id == _P.id).order_by(_I.position, _I.id).limit(1)
).scalar_subquery()
# One row per variant (a product without any: one row of NULLs), in the cards' order.
_CARD_COLUMNS = (
    _P.id,
    _P.name,
    _FIRST_THUMB.label("thumb_key"),
    _V.id.label("variant_id"),
    _V.name.label("variant_name"),
    _V.stock_on_hand,
    _V.price_amount,
    _V.currency,
)
_WITH_VARIANTS = Product.__table__.outerjoin(Variant.__table__, _V.product_id == _P.id)
_SHELF = (
    select(*_CARD_COLUMNS)
    .select_from(_SHELVED.join(_WITH_VARIANTS, _P.id == _SHELVED.c.product_id))
    .where(_SHELVED.c.stream_id == bindparam("stream_id"))
    .order_by(_SHELVED.c.position, _SHELVED.c.id, _V.id)
)
_PRODUCTS = (
    select(*_CARD_COLUMNS)
    .select_from(_WITH_VARIANTS)
    .where(_P.id.in_(bindparam("ids", expanding=True)))
    .order_by(_P.id, _V.id)
)
_TAKEN = (
    select(func.coalesce(func.sum(_HOLD.quantity), 0))
    .where(_HOLD.sale_id == _SALE.id, _HOLD.state.in_([SaleHoldState.SOLD.value, SaleHoldState.HELD.value]))
    .scalar_subquery()
)
_CURRENT_SALE = (
    select(
        _SALE.id,
        _SALE.stream_id,
        _SALE.variant_id,
        _SALE.quantity,
        _SALE.price_amount,
        _SALE.currency,
        _SALE.per_customer_limit,
        _SALE.starts_at,
        _SALE.ends_at,
        _V.product_id,
        _V.name.label("variant_name"),
        _V.price_amount.label("list_amount"),
        _V.currency.label("list_currency"),
        _TAKEN.label("taken"),
    )
    .join_from(FlashSale.__table__, Variant.__table__, _V.id == _SALE.variant_id)
    .where(_SALE.stream_id == bindparam("stream_id"), _SALE.ends_at > bindparam("now"))
    .order_by(_SALE.id.desc())
    .limit(1)
)


def _cards(rows: Iterable[Row[Any]]) -> list[Card]:
    cards: dict[int, Card] = {}
    for row in rows:
        card = cards.get(row.id)
        if card is None:
            card = cards[row.id] = {
                "id": row.id,
                "name": row.name,
                "price": None,  # the cheapest variant's, below
                "image_url": media_url(row.thumb_key) if row.thumb_key else None,
                "available": 0,
                "variants": [],
            }
        if row.variant_id is not None:
            price = {"amount": row.price_amount, "currency": row.currency}
            card["variants"].append(
                {
                    "id": row.variant_id,
                    "name": row.variant_name,
                    "available": row.stock_on_hand,
                    "price": price,
                }
            )
    for card in cards.values():
        variants = card["variants"]
        cheapest = min(variants, key=lambda v: v["price"]["amount"], default=None)
        card["price"] = dict(cheapest["price"]) if cheapest else None
        card["available"] = sum(v["available"] for v in variants)
    return list(cards.values())


async def shelf_cards(db: AsyncSession, stream_id: int) -> list[Card]:
    """The stream's shelf in the host's order, as the room shows it."""
    return _cards(await db.execute(_SHELF, {"stream_id": stream_id}))


async def current_sale(db: AsyncSession, stream_id: int, cards: Sequence[Card] = ()) -> dict[str, Any] | None:
    """The newest sale of the stream that has not ended yet, if any. `cards`: the shelf as this
    request has just read it (the sale's product card is taken from it when it is there)."""
    sale = (await db.execute(_CURRENT_SALE, {"stream_id": stream_id, "now": clock.now()})).first()
    if sale is None:
        return None
    card = next((c for c in cards if c["id"] == sale.product_id), None)
    if card is None:  # the product left the shelf during its sale
        [card] = _cards(await db.execute(_PRODUCTS, {"ids": [sale.product_id]}))
    return {
        "id": sale.id,
        "stream_id": sale.stream_id,
        "variant_id": sale.variant_id,
        "variant_name": sale.variant_name,
        "status": status_of(sale),
        "quantity": sale.quantity,
        "remaining": sale.quantity - int(sale.taken),
        "per_customer_limit": sale.per_customer_limit,
        "price": {"amount": sale.price_amount, "currency": sale.currency},
        "list_price": {"amount": sale.list_amount, "currency": sale.list_currency},
        "starts_at": sale.starts_at.isoformat(),
        "ends_at": sale.ends_at.isoformat(),
        "product": card,
    }
