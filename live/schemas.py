from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, Field

from shop.accounts.schemas import UserRef
from shop.core.schemas import MAX_ID, DisclosureIn, Id, Input, MoneyOut, Output
from shop.orders.schemas import ShipToIn


class StreamIn(Input):
    title: str = Field(min_length=1, max_length=120)
    playback_url: AnyHttpUrl | None = None
    scheduled_at: datetime | None = None
    deal_id: int | None = Field(default=None, ge=1, le=2**53)
    disclosure: DisclosureIn | None = None


class ShelfIn(Input):
    product_ids: list[Id] = Field(max_length=100)


class PinIn(Input):
    product_id: int = Field(ge=1, le=MAX_ID)


class ChatIn(Input):
    text: str = Field(min_length=1, max_length=2000)


class ModeratorIn(Input):
    user_id: int = Field(ge=1, le=MAX_ID)


class RoomCheckoutIn(ShipToIn):
    """Buy one shelf product from the room's sheet; the price is always the DB's. Where it ships is
    the cart checkout's body: `shipping_address` or `address_id`, neither = the default address."""

    variant_id: int = Field(ge=1, le=2**53)
    quantity: int = Field(ge=1, le=99)


class ReminderOut(Output):
    stream_id: int
    reminded: bool
    reminder_count: int


class ShelfProductOut(Output):
    id: int
    name: str
    price: MoneyOut | None
    image_url: str | None
    available: int


class StreamOut(Output):
    id: int
    title: str
    host: UserRef
    status: str
    playback_url: str | None
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    products: list[ShelfProductOut]
    pinned: ShelfProductOut | None
    flash_sale: dict[str, object] | None = None
    viewer_count: int = 0
    seq: int
    disclosure: dict[str, object] | None = None
    chat_settings: dict[str, object] | None = None
