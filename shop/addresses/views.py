"""What pages need of the address book: the country list, the "ship to" chooser and its form."""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.addresses import services
from shop.addresses.schemas import AddressIn
from shop.core.errors import InvalidInput

FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")
PREFIX = "ship_"  # the chooser's new-address fields, apart from any other form on the page


@cache
def countries() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


async def ship_to_context(
    db: AsyncSession,
    user: User | None,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The chooser as `components/ship_to.html` draws it: saved addresses (the default picked), or a
    new one. `data` is a posted form to show again, with its `errors`."""
    addresses = list(await services.list_addresses(db, user)) if user else []
    data = data or {}
    default = next((a for a in addresses if a.is_default), None)
    choice = data.get("ship_to") or (str(default.id) if default else "new")
    form = {field: data.get(PREFIX + field, "") for field in FIELDS}
    form["country"] = form["country"] or "US"
    return {
        "addresses": addresses,
        "countries": countries(),
        "choice": choice,
        "form": form,
        "errors": errors or {},
    }


def ship_to_from_form(data: dict[str, str]) -> tuple[AddressIn | None, int | None]:
    """(a new address, or a saved one's id) from the chooser's fields; a bad address raises
    pydantic's ValidationError with the fields' own names. No choice at all: the default address."""
    choice = data.get("ship_to")
    if not choice:
        return None, None
    if choice == "new":
        return AddressIn.model_validate({field: data.get(PREFIX + field, "") for field in FIELDS}), None
    if not (choice.isascii() and choice.isdigit()) or len(choice) > 16 or not 1 <= int(choice) <= 2**53:
        raise InvalidInput("Choose an address.", fields={"ship_to": "Choose an address."})
    return None, int(choice)
