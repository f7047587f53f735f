"""Base classes for request and response schemas."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from litestar.params import Parameter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from shop.core.i18n import N_

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# The largest id we hand out or accept: JSON numbers are exact up to here, and it fits BIGINT.
MAX_ID = 2**53
# Control characters other than tab and newlines: PostgreSQL refuses NUL in text (a 500 if it
# got that far), and none of them belongs in a name, a note or a search.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same rule as a schema pattern, for query strings (single line: no tab or newline either).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def _checked(value: Any) -> Any:
    """Refuse control characters and integers beyond a BIGINT anywhere in a field's value."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError(N_("Remove the control characters."))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
        raise ValueError(N_("This number is out of range."))
    if isinstance(value, list | tuple | set):
        for item in value:
            _checked(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _checked(key)
            _checked(item)
    return value


class Input(BaseModel):
    """Every request body: unknown fields are an error (a client cannot slip in a price).

    Every field is also checked by `_checked`: a field someone forgot to bound still never sends
    a control character or an out-of-range integer to the database."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_or_overflow(cls, value: Any) -> Any:
        return _checked(value)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DisclosureIn(Input):
    """A label the author declares on a note or stream; a deal's own label is set by the deal."""

    kind: Literal["gifted", "own_brand", "affiliate", "paid_partnership"]


class MoneyOut(Output):
    amount: int
    currency: str


def _email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(N_("Enter a valid email address."))
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


# A database id in a path or query: bounded, so a 40-digit id is a 4xx, never an overflow in the driver.
RowId = Annotated[int, Parameter(ge=1, le=MAX_ID)]
# The same in a query where it is optional.
QueryId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
# A page size in a query (each list still applies its own, smaller maximum).
Limit = Annotated[int | None, Parameter(ge=1, le=100)]
# A keyset cursor, a search or a filter word in a query: short, printable, one line.
Cursor = Annotated[str | None, Parameter(max_length=200, pattern=PRINTABLE)]
QueryText = Annotated[str | None, Parameter(max_length=200, pattern=PRINTABLE)]
# A key we made (a reservation id: uuid4 hex) in a path.
PathKey = Annotated[str, Parameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# An id in a request body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A short one-line word in a body (a topic, an option, a token from Stripe.js).
Word = Annotated[str, Field(max_length=200)]
