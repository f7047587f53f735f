"""Live JSON API: streams, shelf, pins, moderators. Events are published after the commit."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post, put
from litestar.channels import ChannelsPlugin
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from live import chat, reminders, services
from live import checkout as room_checkout
from live import replay as replays
from live.broadcast import publish
from live.cards import Card, current_sale, shelf_cards
from live.counters import RoomCounters
from live.models import Stream, StreamStatus
from live.moderation import messages
from live.moderation import services as moderation
from live.schemas import ChatIn, ModeratorIn, PinIn, ReminderOut, RoomCheckoutIn, ShelfIn, StreamIn, StreamOut
from payments.gateway import StripeGateway
from shop.accounts.models import User
from shop.accounts.schemas import UserRef
from shop.core.ratelimit import AttemptCounter
from shop.core.schemas import QueryText, RowId
from shop.deals import binding
from shop.notifications.services import Notifier
from shop.orders.checkout import open_intent
from shop.orders.schemas import CheckoutOut, checkout_out
from shop.settings import Settings

StreamId = Annotated[int, Parameter(ge=1, le=2**53)]


async def stream_out(
    db: AsyncSession, stream: Stream, counters: RoomCounters | None = None, shelf: list[Card] | None = None
) -> StreamOut:
    """`shelf`: the room's cards as this request has just read them (else read here)."""
    products = await shelf_cards(db, stream.id) if shelf is None else shelf
    host = await db.get(User, stream.host_id)
    assert host is not None
    return StreamOut(
        id=stream.id,
        title=stream.title,
        host=UserRef(id=host.id, display_name=host.display_name),
        status=stream.status,
        playback_url=stream.playback_url,
        scheduled_at=stream.scheduled_at,
        started_at=stream.started_at,
        ended_at=stream.ended_at,
        products=products,  # type: ignore[arg-type]
        pinned=next((p for p in products if p["id"] == stream.pinned_product_id), None),  # type: ignore[arg-type]
        flash_sale=await current_sale(db, stream.id, products),
        viewer_count=(await counters.totals(stream.id))["viewers"] if counters else 0,
        seq=stream.seq,
        disclosure=binding.disclosure(stream.disclosure_kind, stream.deal),
        chat_settings=messages.settings_of(stream),
    )


async def _move(
    db: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId, target: StreamStatus
) -> StreamOut:
    stream = await services.hosted_stream(db, user, stream_id, host_only=True)
    await publish(db, channels, stream, await services.set_status(db, stream, target))
    return await stream_out(db, stream)


async def _reminder(db: AsyncSession, stream: Stream, reminded: bool) -> ReminderOut:
    count = await reminders.reminder_count(db, stream.id)
    return ReminderOut(stream_id=stream.id, reminded=reminded, reminder_count=count)


class StreamController(Controller):
    path = "/api/v1/streams"
    tags = ["live"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, db_session: AsyncSession, user: User, data: StreamIn) -> StreamOut:
        return await stream_out(db_session, await services.create_stream(db_session, user, data))

    @get("/")
    async def list_streams(self, db_session: AsyncSession, status: QueryText = None) -> list[StreamOut]:
        return [await stream_out(db_session, s) for s in await services.list_streams(db_session, status)]

    @get("/{stream_id:int}")
    async def detail(self, db_session: AsyncSession, counters: RoomCounters, stream_id: RowId) -> StreamOut:
        return await stream_out(db_session, await services.get_stream(db_session, stream_id), counters)

    @post("/{stream_id:int}/start", status_code=HTTP_200_OK)
    async def start(
        self,
        db_session: AsyncSession,
        user: User,
        channels: ChannelsPlugin,
        notifier: Notifier,
        stream_id: RowId,
    ) -> StreamOut:
        """Go live: followers and reminder holders are notified once each, after the commit."""
        stream = await services.hosted_stream(db_session, user, stream_id, host_only=True)
        await publish(db_session, channels, stream, await services.go_live(db_session, notifier, stream))
        return await stream_out(db_session, stream)

    @post("/{stream_id:int}/reminder", status_code=HTTP_200_OK)
    async def remind(self, db_session: AsyncSession, user: User, stream_id: StreamId) -> ReminderOut:
        """ "Remind me" (idempotent); only while the stream is scheduled (409 not_scheduled after)."""
        stream = await services.get_stream(db_session, stream_id)
        return await _reminder(db_session, stream, await reminders.remind(db_session, user, stream))

    @delete("/{stream_id:int}/reminder", status_code=HTTP_200_OK)
    async def forget(self, db_session: AsyncSession, user: User, stream_id: StreamId) -> ReminderOut:
        stream = await services.get_stream(db_session, stream_id)
        return await _reminder(db_session, stream, await reminders.forget(db_session, user, stream))

    @post("/{stream_id:int}/checkout", status_code=HTTP_201_CREATED)
    async def checkout(
        self,
        db_session: AsyncSession,
        user: User,
        gateway: StripeGateway,
        settings: Settings,
        stream_id: StreamId,
        data: RoomCheckoutIn,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", max_length=64)] = None,
    ) -> CheckoutOut:
        """The room's Buy sheet for a shelf product: one item, the same checkout body as the cart's."""
        stream = await services.get_stream(db_session, stream_id)
        order = await room_checkout.order_from_shelf(
            db_session,
            user,
            stream,
            data.variant_id,
            data.quantity,
            idempotency_key=idempotency_key,
            hold_minutes=settings.hold_minutes,
            ship_to=data,
        )
        return checkout_out(order, await open_intent(db_session, gateway, order), gateway)

    @post("/{stream_id:int}/end", status_code=HTTP_200_OK)
    async def end(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId
    ) -> StreamOut:
        return await _move(db_session, user, channels, stream_id, StreamStatus.ENDED)

    @put("/{stream_id:int}/products", status_code=HTTP_200_OK)
    async def set_products(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId, data: ShelfIn
    ) -> StreamOut:
        stream = await services.hosted_stream(db_session, user, stream_id)
        products = await services.set_shelf(db_session, user, stream, data.product_ids)
        event = await services.next_event(
            db_session, stream, "shelf", {"products": [services.product_card(p) for p in products]}
        )
        await publish(db_session, channels, stream, event)
        return await stream_out(db_session, stream)

    @post("/{stream_id:int}/pin", status_code=HTTP_200_OK)
    async def pin(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId, data: PinIn
    ) -> StreamOut:
        stream = await services.hosted_stream(db_session, user, stream_id)
        move = await services.pin(db_session, stream, data.product_id)
        await publish(db_session, channels, stream, move.event)
        return await stream_out(db_session, stream, shelf=move.shelf)

    @delete("/{stream_id:int}/pin", status_code=HTTP_200_OK)
    async def unpin(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId
    ) -> StreamOut:
        stream = await services.hosted_stream(db_session, user, stream_id)
        move = await services.pin(db_session, stream, None)
        await publish(db_session, channels, stream, move.event)
        return await stream_out(db_session, stream, shelf=move.shelf)

    @get("/{stream_id:int}/replay")
    async def replay(self, db_session: AsyncSession, stream_id: RowId) -> dict[str, Any]:
        """Events and product chapters ("12:31 Serum 30 ml") built from pins and sales."""
        return await replays.replay(db_session, await services.get_stream(db_session, stream_id))

    @post("/{stream_id:int}/chat", status_code=HTTP_201_CREATED)
    async def chat(
        self,
        db_session: AsyncSession,
        user: User,
        channels: ChannelsPlugin,
        attempts: AttemptCounter,
        stream_id: RowId,
        data: ChatIn,
    ) -> Response[dict[str, Any]]:
        """201 with the line; 201 "only_visible_to_you" when the host's keywords keep it from the
        room; 200 `{"type": "command", ...}` for a staff command (`live.moderation.commands`)."""
        said = await chat.say(db_session, attempts, user, stream_id, data.text)
        stream = await services.get_stream(db_session, stream_id)
        await publish(db_session, channels, stream, *said.events)
        status = HTTP_200_OK if said.kind == "command" else HTTP_201_CREATED
        return Response(said.reply, status_code=status)

    @post("/{stream_id:int}/moderators", status_code=HTTP_201_CREATED)
    async def add_moderator(
        self, db_session: AsyncSession, user: User, stream_id: RowId, data: ModeratorIn
    ) -> dict[str, int]:
        stream = await services.hosted_stream(db_session, user, stream_id, host_only=True)
        await moderation.add_moderator(db_session, stream, user, data.user_id)
        return {"stream_id": stream.id, "user_id": data.user_id}

    @get("/{stream_id:int}/moderators")
    async def moderators(
        self, db_session: AsyncSession, user: User, stream_id: RowId
    ) -> list[dict[str, Any]]:
        stream = await services.hosted_stream(db_session, user, stream_id)
        return await moderation.moderators(db_session, stream)
