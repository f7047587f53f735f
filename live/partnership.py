"""What shop asks of streams: binding one to a deal, whether it is public, who hosts it.

Registered with `shop.streams` by the composition root (`shop.wiring.register_live`), because
`shop` does not import `live`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSale
from live.models import Stream, StreamProduct, StreamStatus
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.deals.binding import PAID_PARTNERSHIP
from shop.deals.models import OPEN_DEAL_STATES, Deal, Deliverable
from shop.streams import Shelf


class LiveStreams:
    """`shop.streams.LiveStreams`: what shop asks of streams (deals, attribution)."""

    async def bind(self, db: AsyncSession, deal: Deal, host: User, stream_id: int) -> None:
        stream = await db.get(Stream, stream_id, populate_existing=True)
        if stream is None or stream.host_id != host.id:
            raise NotFound("No such stream.", fields={"stream_id": "Not your stream."})
        if stream.deal_id not in (None, deal.id):
            raise Conflict("That stream is bound to another deal.", fields={"stream_id": "Bound elsewhere."})
        stream.deal, stream.disclosure_kind = deal, PAID_PARTNERSHIP
        deal.stream_id = stream.id

    async def is_public(self, db: AsyncSession, stream_id: int) -> bool:
        stream = await db.get(Stream, stream_id)
        return stream is not None and stream.status in (StreamStatus.LIVE, StreamStatus.ENDED)

    async def candidates(self, db: AsyncSession, host_id: int) -> list[tuple[int, str, str]]:
        stmt = (
            select(Stream.id, Stream.title, Stream.status)
            .where(Stream.host_id == host_id, Stream.status != StreamStatus.ENDED)
            .order_by(Stream.id.desc())
            .limit(20)
        )
        return [(row.id, row.title, row.status) for row in await db.execute(stmt)]

    async def flash_allocated(self, db: AsyncSession, deal_id: int) -> int:
        return await allocated_to_deal(db, deal_id)

    async def host_of(self, db: AsyncSession, stream_id: int) -> int | None:
        stream = await db.get(Stream, stream_id)
        return stream.host_id if stream is not None else None

    async def titles(self, db: AsyncSession, stream_ids: list[int]) -> dict[int, str]:
        if not stream_ids:
            return {}
        rows = await db.execute(select(Stream.id, Stream.title).where(Stream.id.in_(stream_ids)))
        return dict(rows.all())

    async def shelves(self, db: AsyncSession, stream_ids: list[int]) -> dict[int, Shelf]:
        if not stream_ids:
            return {}
        stmt = (
            select(Stream.id, Stream.merchant_id, Product.id, Product.merchant_id)
            .outerjoin(StreamProduct, StreamProduct.stream_id == Stream.id)
            .outerjoin(Product, (Product.id == StreamProduct.product_id) & Product.is_active.is_(True))
            .where(Stream.id.in_(stream_ids))
        )
        found: dict[int, Shelf] = {}
        for stream_id, host_shop, product_id, shop_id in (await db.execute(stmt)).all():
            shelf = found.setdefault(stream_id, Shelf(host_shop, {}))
            if product_id is not None:
                shelf.products[product_id] = shop_id
        return found


async def allocated_to_deal(db: AsyncSession, deal_id: int) -> int:
    """The sum the deal's terms cap: every flash sale launched under it, sold or not."""
    stmt = select(func.coalesce(func.sum(FlashSale.quantity), 0)).where(FlashSale.deal_id == deal_id)
    return int(await db.scalar(stmt) or 0)


async def attach_new_stream(db: AsyncSession, stream: Stream, host: User, deal_id: int) -> None:
    """A stream scheduled for a deal from the start: the deal must be the host's and ask for a
    stream that can still be delivered."""
    deal = await db.get(Deal, deal_id)
    if deal is None or deal.creator_id != host.id:
        raise NotFound("No such deal.", fields={"deal_id": "Not your deal."})
    if deal.offer.deliverable != Deliverable.STREAM or deal.status not in OPEN_DEAL_STATES:
        raise InvalidInput("That deal does not take a stream now.", fields={"deal_id": deal.status})
    stream.deal, stream.disclosure_kind = deal, PAID_PARTNERSHIP
    if deal.stream_id is None:
        deal.stream_id = stream.id
