"""Launching a flash sale, in one call: check, allocate, commit, then tell the room and load the gate.

The sale and its stock allocation commit first; only then do viewers hear "started" and does the
gate take the sale's books, so neither ever knows of a sale that was rolled back (and a gate that
cannot take them, Redis away, rebuilds them from the ledger when first asked).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from live import services as streams
from live.flash_sales import services
from live.flash_sales.gate import Gate
from live.flash_sales.models import FlashSale
from live.flash_sales.schemas import FlashSaleIn
from shop.accounts.models import User
from shop.core.errors import ServiceUnavailable

Publish = Callable[[dict[str, Any], str], None]


async def launch_sale(
    db: AsyncSession,
    gate: Gate,
    publish: Publish,
    host: User,
    stream_id: int,
    data: FlashSaleIn,
    *,
    hold_seconds: int,
) -> FlashSale:
    stream = await streams.hosted_stream(db, host, stream_id)
    sale = await services.launch(db, stream, data, hold_seconds=hold_seconds)
    view = await services.sale_view(db, gate, sale)
    event = await streams.next_event(
        db, stream, "flash_sale", {"state": "started", "flash_sale": view, "product": view["product"]}
    )
    books = await services.books(db, sale)
    await db.commit()
    publish(event, streams.channel_name(stream.id))
    # The sale is committed, so Redis being away must not answer 503: the host would launch it
    # again. A gate that missed the books rebuilds them from the ledger at the first reservation.
    with contextlib.suppress(ServiceUnavailable):
        await gate.load(sale.id, books)
    return sale
