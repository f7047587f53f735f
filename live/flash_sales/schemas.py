from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shop.catalog.schemas import MoneyIn
from shop.core.schemas import MAX_ID, Input, Output


class FlashSaleIn(Input):
    variant_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=100_000)
    price: MoneyIn
    per_customer_limit: int = Field(ge=1, le=100)
    duration_s: int = Field(ge=10, le=3600)
    countdown_s: int = Field(default=10, ge=0, le=300)


class ReservationIn(Input):
    quantity: int = Field(ge=1, le=100)


class FlashSaleOut(Output):
    id: int
    stream_id: int
    variant_id: int = Field(ge=1, le=MAX_ID)
    status: str
    quantity: int
    remaining: int
    per_customer_limit: int
    price: dict[str, object]
    starts_at: datetime
    ends_at: datetime


class ViewerLimitOut(Output):
    """The signed-in viewer against the per-customer limit ("Limit reached" when `left` is 0)."""

    flash_sale_id: int
    per_customer_limit: int
    held: int
    bought: int
    left: int


class ReservationOut(Output):
    reservation_id: str
    flash_sale_id: int
    quantity: int
    expires_at: datetime
    remaining: int
    mine: ViewerLimitOut | None = None


class LedgerOut(Output):
    quantity: int
    sold: int
    held: int
    available: int
    released: int
    invariant_ok: bool
