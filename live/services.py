"""Streams: hosting, the shelf, pins, moderators and the sequenced event log. Services never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from live import partnership, reminders
from live.cards import Card, shelf_cards
from live.models import Stream, StreamEvent, StreamModerator, StreamProduct, StreamStatus
from live.schemas import StreamIn
from shop.accounts.models import Role, User
from shop.catalog.models import Product, Variant
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shop.core.i18n import N_
from shop.core.labels import status_text
from shop.deals import binding, lifecycle
from shop.notifications.services import Notifier
from shop.partnerships.rights import not_sellable_by


def channel_name(stream_id: int) -> str:
    return f"stream:{stream_id}"


async def create_stream(db: AsyncSession, host: User, data: StreamIn) -> Stream:
    if host.role not in (Role.CREATOR, Role.MERCHANT):
        raise PermissionDenied("Only creators and merchants can host live streams.")
    declared = data.disclosure.kind if data.disclosure else None
    binding.check_declared(declared, data.deal_id)
    stream = Stream(
        host_id=host.id,
        merchant_id=host.merchant.id if host.merchant else None,
        title=data.title,
        playback_url=str(data.playback_url) if data.playback_url else None,
        scheduled_at=data.scheduled_at,
        disclosure_kind=declared if declared != binding.PAID_PARTNERSHIP else None,
    )
    db.add(stream)
    await db.flush()
    if data.deal_id is not None:
        await partnership.attach_new_stream(db, stream, host, data.deal_id)
    return stream


async def get_stream(db: AsyncSession, stream_id: int) -> Stream:
    stream = await db.get(Stream, stream_id)
    if stream is None:
        raise NotFound("No such stream.")
    return stream


async def list_streams(db: AsyncSession, status: str | None, limit: int = 50) -> Sequence[Stream]:
    stmt = select(Stream).order_by(Stream.id.desc()).limit(limit)
    if status:
        if status not in {s.value for s in StreamStatus}:
            raise InvalidInput(fields={"status": "Use live, scheduled or ended."})
        stmt = stmt.where(Stream.status == status)
    return (await db.scalars(stmt)).all()


async def can_moderate(db: AsyncSession, stream: Stream, user: User | None) -> bool:
    if user is None:
        return False
    if user.id == stream.host_id:
        return True
    found = await db.scalar(
        select(StreamModerator.id).where(
            StreamModerator.stream_id == stream.id, StreamModerator.user_id == user.id
        )
    )
    return found is not None


async def hosted_stream(db: AsyncSession, user: User, stream_id: int, *, host_only: bool = False) -> Stream:
    """The stream if `user` may run it; anyone else sees 404 (they cannot tell it is not theirs)."""
    stream = await get_stream(db, stream_id)
    allowed = user.id == stream.host_id if host_only else await can_moderate(db, stream, user)
    if not allowed:
        raise NotFound("No such stream.")
    return stream


_STREAMS, _EVENTS = cast(Table, Stream.__table__), cast(Table, StreamEvent.__table__)
# Built once: a busy room appends an event per pin, chat line and sale, and building the
# statements anew cost about as much as running them.
_APPEND = insert(_EVENTS).values(
    {name: bindparam(name) for name in ("stream_id", "seq", "type", "payload", "author_id")}
)
_NEXT_SEQ: dict[tuple[str, ...], Any] = {}


def _next_seq(columns: tuple[str, ...]) -> Any:
    """UPDATE streams SET seq = seq + 1 (and `columns`) WHERE id = :stream_id RETURNING seq."""
    found = _NEXT_SEQ.get(columns)
    if found is None:
        found = _NEXT_SEQ[columns] = (
            update(_STREAMS)
            .where(_STREAMS.c.id == bindparam("stream_id"))
            .values({"seq": _STREAMS.c.seq + 1} | {name: bindparam(name) for name in columns})
            .returning(_STREAMS.c.seq)
        )
    return found


async def next_event(
    db: AsyncSession,
    stream: Stream,
    kind: str,
    payload: dict[str, Any],
    *,
    author_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append to the room's log under the next sequence number (shared by every app process).
    `changes`: columns of the stream written by the same UPDATE (a pin: one statement, not two)."""
    changes = changes or {}
    seq = await db.scalar(_next_seq(tuple(sorted(changes))), {"stream_id": stream.id, **changes})
    assert seq is not None
    for column, value in changes.items():
        set_committed_value(stream, column, value)
    message = {"type": kind, "seq": int(seq), "ts": clock.timestamp(), **payload}
    # Core: the row is never read back through the session, so no unit of work for it.
    values = {"stream_id": stream.id, "seq": int(seq), "type": kind, "payload": message}
    await db.execute(_APPEND, values | {"author_id": author_id})
    set_committed_value(stream, "seq", int(seq))  # as written: the session has nothing to flush
    return message


async def set_status(db: AsyncSession, stream: Stream, target: StreamStatus) -> dict[str, Any] | None:
    """One conditional UPDATE per move, so a double tap on "Go live" starts (and notifies) once."""
    now = clock.now()
    if target is StreamStatus.LIVE:
        moved = await db.execute(
            update(Stream)
            .where(Stream.id == stream.id, Stream.status == StreamStatus.SCHEDULED)
            .values(status=target.value, started_at=now)
        )
        await db.refresh(stream)
        if not moved.rowcount:  # type: ignore[attr-defined]
            raise Conflict(
                N_("A stream that is %(status)s cannot go live.", status=status_text(stream.status))
            )
        return await next_event(db, stream, "stream_started", {})
    moved = await db.execute(
        update(Stream)
        .where(Stream.id == stream.id, Stream.status != StreamStatus.ENDED)
        .values(status=target.value, ended_at=now, pinned_product_id=None)
    )
    await db.refresh(stream)
    if not moved.rowcount:  # type: ignore[attr-defined]
        return None
    return await next_event(db, stream, "stream_ended", {})


async def go_live(db: AsyncSession, notifier: Notifier, stream: Stream) -> dict[str, Any] | None:
    """Start the stream and notify its audience in the same transaction (pushed after the commit)."""
    event = await set_status(db, stream, StreamStatus.LIVE)
    await reminders.announce_live(db, notifier, stream)
    await lifecycle.deliverable_went_public(db, notifier, stream.deal_id)
    return event


async def shelf(db: AsyncSession, stream: Stream) -> list[Product]:
    stmt = (
        select(Product)
        # A variant's product is the one loaded here (found in the session, not joined in again).
        .options(selectinload(Product.variants).lazyload(Variant.product))
        .join(StreamProduct, StreamProduct.product_id == Product.id)
        .where(StreamProduct.stream_id == stream.id)
        .order_by(StreamProduct.position)
    )
    return list((await db.scalars(stmt)).unique().all())


async def set_shelf(db: AsyncSession, host: User, stream: Stream, product_ids: list[int]) -> list[Product]:
    """Only what the host may sell (`shop.partnerships.rights`); anything else is named in the 422."""
    ids = list(dict.fromkeys(product_ids))
    if refused := await not_sellable_by(db, host, ids):
        listed = ", ".join(map(str, refused))
        raise InvalidInput(
            N_("You may not sell these products: %(ids)s.", ids=listed),
            fields={"product_ids": N_("Not yours to sell: %(ids)s.", ids=listed)},
        )
    products = {p.id: p for p in (await db.scalars(select(Product).where(Product.id.in_(ids)))).unique()}
    await db.execute(delete(StreamProduct).where(StreamProduct.stream_id == stream.id))
    for position, product_id in enumerate(ids):
        db.add(StreamProduct(stream_id=stream.id, product_id=product_id, position=position))
    if stream.pinned_product_id not in ids:
        stream.pinned_product_id = None
    await db.flush()
    return [products[i] for i in ids]


class PinMove(NamedTuple):
    event: dict[str, Any]
    shelf: list[Card]  # as read for the move: the room's answer shows it without reading it again


async def pin(db: AsyncSession, stream: Stream, product_id: int | None) -> PinMove:
    if stream.status == StreamStatus.ENDED:
        raise Conflict("The stream has ended.")
    cards = await shelf_cards(db, stream.id)
    pinned = next((card for card in cards if card["id"] == product_id), None)
    if product_id is not None and pinned is None:
        raise InvalidInput("Put the product on the shelf first.", fields={"product_id": "Not on the shelf."})
    kind, payload = ("pin", {"product": pinned}) if pinned else ("unpin", {})
    changes = {"pinned_product_id": product_id}
    return PinMove(await next_event(db, stream, kind, payload, changes=changes), cards)


async def add_moderator(db: AsyncSession, stream: Stream, user_id: int) -> None:
    if await db.get(User, user_id) is None:
        raise NotFound("No such user.", fields={"user_id": "Unknown user."})
    if not await can_moderate(db, stream, await db.get(User, user_id)):
        db.add(StreamModerator(stream_id=stream.id, user_id=user_id))
        await db.flush()


def product_card(product: Product) -> dict[str, Any]:
    from shop.core.storage import media_url

    cheapest = min(product.variants, key=lambda v: v.price_amount, default=None)
    return {
        "id": product.id,
        "name": product.name,
        "price": {"amount": cheapest.price_amount, "currency": cheapest.currency} if cheapest else None,
        "image_url": media_url(product.images[0].thumb_key) if product.images else None,
        "available": sum(v.available for v in product.variants),
        "variants": [
            {
                "id": v.id,
                "name": v.name,
                "available": v.available,
                "price": {"amount": v.price_amount, "currency": v.currency},
            }
            for v in product.variants
        ],
    }


async def events_after(db: AsyncSession, stream_id: int, after_seq: int, limit: int) -> list[dict[str, Any]]:
    stmt = (
        select(StreamEvent.payload)
        .where(StreamEvent.stream_id == stream_id, StreamEvent.seq > after_seq)
        .order_by(StreamEvent.seq)
        .limit(limit)
    )
    return [dict(p) for p in (await db.scalars(stmt)).all()]


async def recent_events(db: AsyncSession, stream_id: int, kind: str, limit: int) -> list[dict[str, Any]]:
    """The last `limit` events of one kind, oldest first (a late joiner sees the recent chat)."""
    stmt = (
        select(StreamEvent.payload)
        .where(StreamEvent.stream_id == stream_id, StreamEvent.type == kind)
        .order_by(StreamEvent.seq.desc())
        .limit(limit)
    )
    return [dict(p) for p in reversed((await db.scalars(stmt)).all())]
