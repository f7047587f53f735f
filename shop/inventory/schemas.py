"""Stock adjustments and the movement history: what a merchant sends and what they read back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator, model_validator

from shop.catalog.models import MERCHANT_REASONS, StockReason
from shop.core.errors import InvalidInput
from shop.core.i18n import N_, gettext
from shop.core.schemas import Input, Output

# Bounded like RowId: a 40-digit id is a 422, never an overflow in the driver.
BoundedId = Annotated[int, Field(ge=1, le=2**53)]
MAX_UNITS = 1_000_000


def _merchant_reason(value: StockReason) -> StockReason:
    if value not in MERCHANT_REASONS:
        choices = ", ".join(r.value for r in MERCHANT_REASONS)
        # Said now, in the request's language: pydantic keeps only the text of a validator's error.
        raise ValueError(gettext("Choose one of: %(choices)s.", choices=choices))
    return value


def _note(value: str | None) -> str | None:
    return value or None  # an empty note is no note


class StockAdjustmentIn(Input):
    """Either a signed change (`delta`) or the level counted on the shelf (`level`), with a reason."""

    variant_id: BoundedId
    delta: int | None = Field(default=None, ge=-MAX_UNITS, le=MAX_UNITS)
    level: int | None = Field(default=None, ge=0, le=MAX_UNITS)
    reason: Annotated[StockReason, AfterValidator(_merchant_reason)]
    note: Annotated[str | None, AfterValidator(_note)] = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        if (self.delta is None) == (self.level is None):
            raise ValueError(N_("Send either delta (a change) or level (a new count), not both."))
        if self.delta == 0:
            raise ValueError("A change of 0 moves nothing.")
        return self


class MovementFilterIn(Input):
    """The history's filters, shared by the page, the JSON API and the CSV export."""

    product_id: BoundedId | None = None
    variant_id: BoundedId | None = None
    reason: StockReason | None = None
    # UTC calendar days, both included.
    since: date | None = None
    until: date | None = None

    @field_validator("since", "until")
    @classmethod
    def _plausible(cls, day: date | None) -> date | None:
        if day is not None and not 2000 <= day.year <= 2100:
            raise ValueError(N_("Use a date between 2000 and 2100."))
        return day

    @field_validator("until")
    @classmethod
    def _not_reversed(cls, until: date | None, info: ValidationInfo) -> date | None:
        since = info.data.get("since")
        if until is not None and since is not None and until < since:
            raise ValueError(N_("The range ends before it starts."))
        return until


class MovementOut(Output):
    id: int
    variant_id: int
    sku: str
    delta: int
    balance_after: int
    reason: str
    reason_label: str
    note: str | None
    actor: str
    created_at: datetime


class MovementPage(Output):
    items: list[MovementOut]
    next_cursor: str | None
    count: int
    added: int
    removed: int
    net: int


def parse_filters(params: Mapping[str, object]) -> MovementFilterIn:
    """Query parameters → filters; a bad one is a 422 naming it (empty values mean "any")."""
    try:
        return MovementFilterIn.model_validate({k: v for k, v in params.items() if v not in (None, "")})
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors():
            key = ".".join(str(p) for p in problem["loc"]) or "filters"
            fields.setdefault(key, problem["msg"].removeprefix("Value error, "))
        raise InvalidInput("Some filters are not valid.", fields=fields) from None
