"""Live pages: the list, going live, the room, the host console and the replay.

The room and the console render their first state from the same data the websocket snapshot
carries, then follow the socket. Everything the host changes goes through the JSON API.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live import analytics_reads, reminders, services
from live import replay as replays
from live.cards import current_sale, shelf_cards
from live.flash_sales import services as sales
from live.flash_sales.models import FlashSale
from live.models import Stream, StreamProduct, StreamStatus
from live.schemas import StreamIn
from payments.gateway import StripeGateway
from shop.accounts.models import Role, User
from shop.addresses.views import ship_to_context
from shop.catalog.models import Product, ProductImage
from shop.core.errors import AppError, PermissionDenied
from shop.core.pages import form_errors, render
from shop.core.schemas import RowId
from shop.core.storage import media_url
from shop.deals import binding

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SECTION_SIZE = 24
CANDIDATES = 60


async def _cards(db: AsyncSession, streams: list[Stream]) -> list[dict[str, Any]]:
    """List cards in three queries, whatever the number of streams: hosts, covers, running sales."""
    ids = [s.id for s in streams]
    hosts = {
        u.id: u for u in (await db.scalars(select(User).where(User.id.in_({s.host_id for s in streams}))))
    }
    covers: dict[int, str] = {}
    rows = await db.execute(
        select(StreamProduct.stream_id, ProductImage.thumb_key)
        .join(ProductImage, ProductImage.product_id == StreamProduct.product_id)
        .where(StreamProduct.stream_id.in_(ids), ProductImage.position == 0)
        .order_by(StreamProduct.position)
    )
    for stream_id, key in rows:
        covers.setdefault(stream_id, media_url(key))
    on_sale = set(
        await db.scalars(
            select(FlashSale.stream_id).where(FlashSale.stream_id.in_(ids), FlashSale.ends_at > sales.now())
        )
    )
    return [
        {"stream": s, "host": hosts[s.host_id], "cover": covers.get(s.id), "on_sale": s.id in on_sale}
        for s in streams
    ]


async def _viewer_state(db: AsyncSession, user: User | None, stream: Stream, state: dict[str, Any]) -> None:
    """What only this viewer sees: their count against the sale's limit, and their reminder."""
    sale = state["flash_sale"]
    if user is not None and sale is not None:
        found = await db.get(FlashSale, sale["id"])
        assert found is not None
        sale["mine"] = (await sales.viewer_books(db, found, user.id)).model_dump()
    state["reminded"] = stream.id in await reminders.reminded(db, user, [stream.id])
    state["scheduled_at"] = stream.scheduled_at.isoformat() if stream.scheduled_at else None


async def _candidates(db: AsyncSession, stream: Stream) -> list[Product]:
    """What the host may shelve: a merchant's own catalogue, or for a creator the popular products."""
    stmt = select(Product).where(Product.is_active.is_(True))
    if stream.merchant_id is not None:
        stmt = stmt.where(Product.merchant_id == stream.merchant_id).order_by(Product.name)
    else:
        stmt = stmt.order_by(Product.note_count.desc(), Product.id.desc())
    return list((await db.scalars(stmt.limit(CANDIDATES))).unique().all())


async def room_state(db: AsyncSession, stream: Stream) -> dict[str, Any]:
    """The room as the page first paints it (the socket's snapshot then takes over)."""
    shelf = await shelf_cards(db, stream.id)
    return {
        "id": stream.id,
        "title": stream.title,
        "status": stream.status,
        "seq": stream.seq,
        "products": shelf,
        "pinned": next((p for p in shelf if p["id"] == stream.pinned_product_id), None),
        "flash_sale": await current_sale(db, stream.id, shelf),
    }


def _shop_hosts(user: User, stream: Stream) -> bool:
    """The console links the dashboard's analytics for the shop's own streams."""
    return user.merchant is not None and user.merchant.id == stream.merchant_id


def _may_host(user: User | None) -> bool:
    return user is not None and user.role in (Role.CREATOR, Role.MERCHANT)


class LivePages(Controller):
    path = "/live"
    include_in_schema = False

    @get("/")
    async def list_streams(
        self, db_session: AsyncSession, nav: dict[str, Any], current_user: User | None
    ) -> Template:
        sections = {}
        for status in (StreamStatus.LIVE, StreamStatus.SCHEDULED, StreamStatus.ENDED):
            found = list(await services.list_streams(db_session, status.value, limit=SECTION_SIZE))
            sections[status.value] = await _cards(db_session, found)
        upcoming = [c["stream"].id for c in sections[StreamStatus.SCHEDULED.value]]
        reminded = await reminders.reminded(db_session, current_user, upcoming)
        return render(
            "live/list.html", nav, sections=sections, may_host=_may_host(current_user), reminded=reminded
        )

    @get("/new")
    async def new_form(
        self, nav: dict[str, Any], user: User, deal_id: int | None = Parameter(default=None, ge=1, le=2**53)
    ) -> Template:
        if not _may_host(user):
            raise PermissionDenied("Only creators and merchants can host live streams.")
        return render("live/new.html", nav, form={"deal_id": str(deal_id or "")}, errors={})

    @post("/new")
    async def create(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, data: Form
    ) -> Template | Redirect:
        fields: dict[str, Any] = {k: v for k, v in data.items() if k in StreamIn.model_fields and v.strip()}
        fields.pop("disclosure", None)
        if data.get("disclosure_kind", "").strip():
            fields["disclosure"] = {"kind": data["disclosure_kind"].strip()}
        if "scheduled_at" in fields and "+" not in fields["scheduled_at"]:
            fields["scheduled_at"] += "+00:00"  # the form's local time field is labelled UTC
        try:
            stream = await services.create_stream(db_session, user, StreamIn.model_validate(fields))
        except ValidationError as error:
            return render("live/new.html", nav, status_code=422, form=data, errors=form_errors(error))
        except AppError as error:
            errors = error.fields or {"form": error.message}
            return render("live/new.html", nav, status_code=error.status_code, form=data, errors=errors)
        return Redirect(f"/live/{stream.id}/console")

    @get("/{stream_id:int}")
    async def room(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        current_user: User | None,
        gateway: StripeGateway,
        stream_id: RowId,
    ) -> Template | Redirect:
        stream = await services.get_stream(db_session, stream_id)
        if stream.status == StreamStatus.ENDED:
            return Redirect(f"/live/{stream.id}/replay")
        state = await room_state(db_session, stream)
        await _viewer_state(db_session, current_user, stream, state)
        return render(
            "live/room.html",
            nav,
            stream=stream,
            host=await db_session.get(User, stream.host_id),
            disclosure=binding.disclosure(stream.disclosure_kind, stream.deal),
            state=state,
            can_host=await services.can_moderate(db_session, stream, current_user),
            stripe_js=gateway.js_url,
            publishable_key=gateway.publishable_key,
            ship=await ship_to_context(db_session, current_user),  # the Buy sheet's "Ship to"
        )

    @get("/{stream_id:int}/console")
    async def console(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, stream_id: RowId
    ) -> Template:
        stream = await services.hosted_stream(db_session, user, stream_id)
        state = await room_state(db_session, stream)
        shelved = {p["id"] for p in state["products"]}
        return render(
            "live/console.html",
            nav,
            stream=stream,
            state=state,
            is_host=user.id == stream.host_id,
            candidates=[(p, p.id in shelved) for p in await _candidates(db_session, stream)],
            samples=await analytics_reads.recent_samples(db_session, stream.id),
            analytics_url=f"/dashboard/live/{stream.id}" if _shop_hosts(user, stream) else None,
        )

    @get("/{stream_id:int}/replay")
    async def replay(self, db_session: AsyncSession, nav: dict[str, Any], stream_id: RowId) -> Template:
        stream = await services.get_stream(db_session, stream_id)
        log = await replays.replay(db_session, stream)
        ids = [c["product_id"] for c in log["chapters"]]
        found = await db_session.scalars(select(Product).where(Product.id.in_(ids)))
        products = {p.id: p for p in found.unique()}
        chapters = [
            {**c, "card": services.product_card(products[c["product_id"]])}
            for c in log["chapters"]
            if c["product_id"] in products
        ]
        started = stream.started_at.astimezone(UTC).timestamp() if stream.started_at else None
        chat = [
            {**e, "at_s": max(0, round(e["ts"] - started)) if started else None}
            for e in log["events"]
            if e["type"] == "chat"
        ]
        return render(
            "live/replay.html",
            nav,
            stream=stream,
            host=await db_session.get(User, stream.host_id),
            disclosure=binding.disclosure(stream.disclosure_kind, stream.deal),
            chapters=chapters,
            chat=chat,
        )
