"""Which shops an event credits, decided from the database in a fixed number of queries per batch.

    note_view     note_id                       a published note: the shops of its tagged products
                                                and its author's own shop (one row per shop)
    tag_tap       note_id, product_id           the product is tagged on that published note
    product_view  product_id [+ note_id | stream_id]   an active product; the note tags it, or
    add_to_cart                                 the stream has it on its shelf
    room_join     stream_id                     the stream's host's shop and its shelf's shops

Anything else (an id that does not exist, a draft, an inactive product, an id the type has no use
for, a product the note does not tag) credits nobody: the event is dropped, not an error, because
a page cannot know that a note was unpublished a second ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop import streams
from shop.accounts.models import Merchant
from shop.analytics.models import EventType
from shop.analytics.schemas import EventIn
from shop.catalog.models import Product
from shop.notes.models import Note, NoteImage, ProductTag, published
from shop.streams import Shelf


@dataclass
class NoteFacts:
    author_shop: int | None = None
    tagged: dict[int, int] = field(default_factory=dict)  # {active product id: its shop}

    @property
    def shops(self) -> list[int]:
        found = set(self.tagged.values()) | ({self.author_shop} if self.author_shop else set())
        return sorted(found)


@dataclass
class Known:
    notes: dict[int, NoteFacts]
    products: dict[int, int]
    streams: dict[int, Shelf]


def _ids(events: Sequence[EventIn], attr: str) -> list[int]:
    return sorted({value for e in events if (value := getattr(e, attr)) is not None})


async def _notes(db: AsyncSession, ids: list[int]) -> dict[int, NoteFacts]:
    if not ids:
        return {}
    stmt = (
        select(Note.id, Merchant.id, Product.id, Product.merchant_id)
        .outerjoin(Merchant, Merchant.owner_id == Note.author_id)
        .outerjoin(NoteImage, NoteImage.note_id == Note.id)
        .outerjoin(ProductTag, ProductTag.note_image_id == NoteImage.id)
        .outerjoin(Product, (Product.id == ProductTag.product_id) & Product.is_active.is_(True))
        .where(Note.id.in_(ids), published())
    )
    found: dict[int, NoteFacts] = {}
    for note_id, author_shop, product_id, shop_id in (await db.execute(stmt)).all():
        facts = found.setdefault(note_id, NoteFacts(author_shop))
        if product_id is not None:
            facts.tagged[product_id] = shop_id
    return found


async def _products(db: AsyncSession, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = select(Product.id, Product.merchant_id).where(Product.id.in_(ids), Product.is_active.is_(True))
    return {row.id: row.merchant_id for row in await db.execute(stmt)}


async def load(db: AsyncSession, events: Sequence[EventIn]) -> Known:
    """Everything the batch names, in at most three queries (notes, products, streams)."""
    stream_ids = _ids(events, "stream_id")
    return Known(
        notes=await _notes(db, _ids(events, "note_id")),
        products=await _products(db, _ids(events, "product_id")),
        streams=await streams.live().shelves(db, stream_ids) if stream_ids else {},
    )


def _product_in_context(event: EventIn, known: Known) -> list[int]:
    shop = known.products.get(event.product_id or 0)
    if shop is None or (event.note_id and event.stream_id):
        return []
    if event.note_id is not None:
        note = known.notes.get(event.note_id)
        return [shop] if note and event.product_id in note.tagged else []
    if event.stream_id is not None:
        shelf = known.streams.get(event.stream_id)
        return [shop] if shelf and event.product_id in shelf.products else []
    return [shop]


def shops_for(event: EventIn, known: Known) -> list[int]:
    """The shops this event credits (one row each); empty when it fits nothing and is dropped."""
    note = known.notes.get(event.note_id or 0)
    if event.type == EventType.NOTE_VIEW:
        return note.shops if note and event.product_id is None and event.stream_id is None else []
    if event.type == EventType.TAG_TAP:
        if note is None or event.stream_id is not None or event.product_id not in note.tagged:
            return []
        return [note.tagged[event.product_id]]
    if event.type == EventType.ROOM_JOIN:
        shelf = known.streams.get(event.stream_id or 0)
        if shelf is None or event.note_id is not None or event.product_id is not None:
            return []
        host = {shelf.host_shop_id} if shelf.host_shop_id else set()
        return sorted(set(shelf.products.values()) | host)
    return _product_in_context(event, known)
