"""Who gets credit for an order line, decided once, when the order is paid, and never again.

The creator is the note's author, or the room's host, for a line bought from a note or a stream.
What pays is a running deal between that creator and the product's shop that carries the product
(its commission rate), else the product's open collaboration (the rate in force when the order was
placed: a cut announced later never applies). Nobody is credited when:
- the line came straight from the shop (no note, no stream);
- the note does not show the product (see `shows_product`), or no longer does at payment;
- the author or host is not a creator (a brand's own note or room earns the brand nothing extra);
- the buyer is that creator (buying through one's own note is not a referral);
- neither a deal nor a collaboration covers the product.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop import streams
from shop.accounts.models import Role, User
from shop.deals.rights import commission_deal
from shop.notes.models import Note, NoteImage, ProductTag, published
from shop.orders.models import OrderLine
from shop.partnerships.models import Collaboration
from shop.partnerships.services import rate_in_force


@dataclass(frozen=True, slots=True)
class Credit:
    creator_id: int
    deal_id: int | None
    collaboration_id: int | None
    commission_bps: int


async def shows_product(db: AsyncSession, source_type: str, source_id: int | None, product_id: int) -> bool:
    """Whether a note or stream really shows the product: a published note with the product tagged on
    one of its images, or a stream with it on its shelf. A cart line may name no other source, or a
    shopper could credit any creator for any product open for collaboration (affiliate fraud)."""
    if source_id is None:
        return False
    if source_type == "note":
        return await _tagging_author(db, source_id, product_id) is not None
    if source_type == "stream":
        shelf = (await streams.live().shelves(db, [source_id])).get(source_id)
        return shelf is not None and product_id in shelf.products
    return False


async def credited_creator(
    db: AsyncSession, source_type: str, source_id: int | None, product_id: int
) -> int | None:
    if source_id is None:
        return None
    if source_type == "note":
        # Read again at payment: a note unpublished or edited to untag the product since the line was
        # added credits nobody (nor does a line added before sources were checked).
        return await _tagging_author(db, source_id, product_id)
    if source_type == "stream":
        # The shelf is not read again: a host rotates it all through a live, so a product sold from
        # it minutes ago is often gone by payment; it was checked when the line or order was made.
        return await streams.live().host_of(db, source_id)
    return None


async def _tagging_author(db: AsyncSession, note_id: int, product_id: int) -> int | None:
    """The author of the note if it is published and tags the product, else None."""
    stmt = (
        select(Note.author_id)
        .join(NoteImage, NoteImage.note_id == Note.id)
        .join(ProductTag, ProductTag.note_image_id == NoteImage.id)
        .where(Note.id == note_id, published(), ProductTag.product_id == product_id)
        .limit(1)
    )
    return (await db.scalars(stmt)).first()


async def credit_for(db: AsyncSession, buyer_id: int, line: OrderLine, placed_at: datetime) -> Credit | None:
    creator_id = await credited_creator(db, line.source_type, line.source_id, line.product_id)
    if creator_id is None or creator_id == buyer_id:
        return None
    creator = await db.get(User, creator_id)
    if creator is None or creator.role != Role.CREATOR:
        return None
    deal = await commission_deal(db, creator_id, line.product_id)
    if deal is not None:
        return Credit(creator_id, deal.id, None, deal.offer.commission_bps or 0)
    collaboration_id = await _open_collaboration(db, line.product_id, placed_at)
    if collaboration_id is None:
        return None
    bps = await rate_in_force(db, collaboration_id, placed_at)
    return Credit(creator_id, None, collaboration_id, bps) if bps > 0 else None


async def _open_collaboration(db: AsyncSession, product_id: int, at: datetime) -> int | None:
    """The collaboration that was open on the product when the order was placed."""
    stmt = (
        select(Collaboration.id)
        .where(
            Collaboration.product_id == product_id,
            Collaboration.created_at <= at,
            or_(Collaboration.closed_at.is_(None), Collaboration.closed_at > at),
        )
        .order_by(Collaboration.id.desc())
    )
    return (await db.scalars(stmt.limit(1))).first()
