"""Base classes for request and response schemas."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from litestar.params import Parameter
from pydantic import AfterValidator, BaseModel, ConfigDict

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Input(BaseModel):
    """Every request body: unknown fields are an error (a client cannot slip in a price)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
        raise ValueError("Enter a valid email address.")
    return value


Email = Annotated[str, AfterValidator(_email)]


# A database id in a path or query: bounded, so a 40-digit id is a 4xx, never an overflow in the driver.
RowId = Annotated[int, Parameter(ge=1, le=2**53)]
