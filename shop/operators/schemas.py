from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shop.accounts.models import Merchant
from shop.core.i18n import N_
from shop.core.schemas import Input, Output

StatusFilter = Literal["unverified", "verified", "suspended"]


def _reason(value: str) -> str:
    if any(ord(c) < 32 and c != "\n" for c in value):
        raise ValueError(N_("Remove the control characters."))
    return value


class SuspendIn(Input):
    # The owner reads it in their inbox: say what to fix.
    reason: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_reason)]


class ShopOwnerOut(Output):
    id: int
    display_name: str


class OperatorShopOut(Output):
    id: int
    name: str
    status: str
    status_reason: str
    status_changed_at: datetime | None
    owner: ShopOwnerOut
    products: int
    created_at: datetime


class OperatorShopPage(Output):
    items: list[OperatorShopOut]
    next_cursor: str | None


def operator_shop_out(shop: Merchant, products: int) -> OperatorShopOut:
    return OperatorShopOut(
        id=shop.id,
        name=shop.name,
        status=shop.status,
        status_reason=shop.status_reason,
        status_changed_at=shop.status_changed_at,
        owner=ShopOwnerOut(id=shop.owner.id, display_name=shop.owner.display_name),
        products=products,
        created_at=shop.created_at,
    )
