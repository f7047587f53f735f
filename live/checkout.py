"""Buying a shelf product from the room's sheet: one item, one order, the cart left alone.

The price comes from the DB and stock is held with the same rules as the cart's checkout
(`shop.orders.services`); the order line's source is the stream. A flash-sale deal is bought
through its reservation instead (`live.flash_sales.checkout`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamStatus
from live.services import shelf
from shop.accounts.models import User
from shop.catalog.models import Variant
from shop.core.errors import Conflict, InvalidInput
from shop.orders.checkout import shipping_address
from shop.orders.models import Order
from shop.orders.schemas import ShipToIn
from shop.orders.services import Item, place_single_order


async def order_from_shelf(
    db: AsyncSession,
    user: User,
    stream: Stream,
    variant_id: int,
    quantity: int,
    *,
    idempotency_key: str | None,
    hold_minutes: int,
    ship_to: ShipToIn | None = None,
) -> Order:
    if stream.status == StreamStatus.ENDED:
        raise Conflict("This live has ended.", fields={"stream": "Ended."})
    variant = await db.get(Variant, variant_id)
    if variant is None or variant.product_id not in {p.id for p in await shelf(db, stream)}:
        raise InvalidInput(
            "That product is not on this live's shelf.", fields={"variant_id": "Not on the shelf."}
        )
    address = await shipping_address(db, user, ship_to)
    item = Item(variant_id=variant.id, quantity=quantity, source_type="stream", source_id=stream.id)
    order, _ = await place_single_order(
        db, user, item, idempotency_key=idempotency_key, hold_minutes=hold_minutes, ship_to=address
    )
    return order
