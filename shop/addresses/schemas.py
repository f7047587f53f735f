"""Address input: every field bounded, no control characters, the country as ISO 3166 alpha-2."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field

from shop.core.i18n import N_
from shop.core.schemas import Input, Output

_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]$|^[A-Za-z0-9]$")


def _printable(value: str) -> str:
    # Control characters (newlines, NUL, bidi overrides…) would end up on a shipping label.
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError(N_("Remove control characters."))
    return value


def _country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(N_("Use a two-letter country code (ISO 3166), like US, GB or CN."))
    return code


def _postal(value: str) -> str:
    if not _POSTAL.match(value):
        raise ValueError(N_("Use letters, digits, spaces and dashes."))
    return value.upper()


Printable = AfterValidator(_printable)
Short = Annotated[str, Field(min_length=1, max_length=80), Printable]
ShortOptional = Annotated[str, Field(max_length=80), Printable]
Line = Annotated[str, Field(min_length=1, max_length=120), Printable]
LineOptional = Annotated[str, Field(max_length=120), Printable]


class AddressIn(Input):
    name: Short
    line1: Line
    line2: LineOptional = ""
    city: Short
    region: ShortOptional = ""
    postal_code: Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_postal)]
    country: Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]


class NewAddressIn(AddressIn):
    default: bool = False


class AddressOut(Output):
    id: int
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    default: bool = Field(validation_alias="is_default")


class AddressPage(Output):
    items: list[AddressOut]
    next_cursor: str | None = None
