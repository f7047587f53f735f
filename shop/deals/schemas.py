"""Offers and deals on the wire. Money is `{amount, currency}` in minor units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from shop.catalog.schemas import MoneyIn
from shop.core.schemas import Input, MoneyOut, Output
from shop.deals.models import Deliverable

ProductId = Annotated[int, Field(ge=1, le=2**53)]


class FlashTermsIn(Input):
    max_quantity: int = Field(ge=1, le=100_000)
    min_price: MoneyIn
    per_customer_limit: int = Field(ge=1, le=100)


class OfferIn(Input):
    creator_id: int = Field(ge=1, le=2**53)
    product_ids: list[ProductId] = Field(min_length=1, max_length=20)
    deliverable: Deliverable
    brief: str = Field(min_length=1, max_length=4000)
    due_at: datetime
    flat_fee: MoneyIn | None = None
    commission_bps: int | None = Field(default=None, ge=100, le=8000)
    samples: bool = False
    live_flash_sale: FlashTermsIn | None = None


class OfferPayIn(Input):
    payment_method: str | None = Field(default=None, max_length=120)
    setup_intent_id: str | None = Field(default=None, max_length=120)
    card_token: str | None = Field(default=None, max_length=120)


class MessageIn(Input):
    message: str = Field(min_length=1, max_length=2000)


class SubmitIn(Input):
    note_id: int | None = Field(default=None, ge=1, le=2**53)
    stream_id: int | None = Field(default=None, ge=1, le=2**53)


class CancelIn(Input):
    reason: str = Field(default="", max_length=2000)


class SettleIn(Input):
    outcome: Literal["release", "refund", "split"]
    creator_share_bps: int | None = Field(default=None, ge=1, le=9999, description="split only")
    message: str = Field(default="", max_length=2000)


class PartyMerchant(Output):
    id: int
    name: str


class PartyCreator(Output):
    id: int
    display_name: str


class ProductBrief(Output):
    id: int
    name: str


class FlashTermsOut(Output):
    max_quantity: int
    min_price: MoneyOut
    per_customer_limit: int


class FeeOut(Output):
    state: str
    amount: MoneyOut
    refunded: MoneyOut
    releasable: MoneyOut


class PaymentOut(Output):
    payment_intent_id: str
    status: str
    client_secret: str | None
    error: str | None
    publishable_key: str


class DealRef(Output):
    id: int
    status: str


class OfferOut(Output):
    id: int
    status: str
    merchant: PartyMerchant
    creator: PartyCreator
    products: list[ProductBrief]
    product_ids: list[int]
    deliverable: str
    brief: str
    due_at: datetime
    expires_at: datetime
    flat_fee: MoneyOut | None
    commission_bps: int | None
    samples: bool
    live_flash_sale: FlashTermsOut | None
    fee: FeeOut | None
    payment: PaymentOut | None = None
    deal: DealRef | None
    created_at: datetime


class SetupIntentOut(Output):
    setup_intent_id: str
    client_secret: str
    publishable_key: str


class RoundOut(Output):
    kind: str
    message: str | None
    at: datetime
    by: str | None


class NextAction(Output):
    who: Literal["creator", "merchant", "operator"] | None
    what: str
    by: datetime | None


class BoundOut(Output):
    note_id: int | None
    stream_id: int | None


class DealOut(Output):
    id: int
    offer_id: int
    status: str
    merchant: PartyMerchant
    creator: PartyCreator
    products: list[ProductBrief]
    deliverable: str
    brief: str
    flat_fee: MoneyOut | None
    commission_bps: int | None
    samples: bool
    live_flash_sale: FlashTermsOut | None
    due_at: datetime
    bound: BoundOut
    rounds: list[RoundOut]
    timeline: list[RoundOut]
    changes_left: int
    next_action: NextAction
    fee: FeeOut | None
    published_at: datetime | None
    protected_until: datetime | None
    settlement: str | None
    created_at: datetime


class OfferPage(Output):
    items: list[OfferOut]
    next_cursor: str | None


class DealPage(Output):
    items: list[DealOut]
    next_cursor: str | None
