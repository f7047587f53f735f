"""The dashboard's product list: the shop's products (archived ones too), searched and filtered by
status and by stock, each with its variants' levels (available = on hand - live holds)."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.models import Product
from shop.core import search
from shop.core.db import keyset_page
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.inventory import levels

PAGE_SIZE = 25


class StatusFilter(enum.StrEnum):
    ALL = "all"
    ACTIVE = "active"
    ARCHIVED = "archived"


class StockFilter(enum.StrEnum):
    ANY = "any"
    LOW = "low"  # at or under the threshold, out of stock included (what needs a restock)
    OUT = "out"


def _choice(kind: type[enum.StrEnum], value: str | None, field: str) -> enum.StrEnum:
    try:
        return kind(value or next(iter(kind)).value)
    except ValueError:
        choices = ", ".join(k.value for k in kind)
        raise InvalidInput(
            N_("Unknown %(field)s filter.", field=field),
            fields={field: N_("One of %(choices)s.", choices=choices)},
        ) from None


def filters(status: str | None, stock: str | None) -> tuple[StatusFilter, StockFilter]:
    return StatusFilter(_choice(StatusFilter, status, "status")), StockFilter(
        _choice(StockFilter, stock, "stock")
    )


def _statement(shop: Merchant, q: str | None, status: StatusFilter, stock: StockFilter) -> Select[Product]:
    stmt = select(Product).where(Product.merchant_id == shop.id)
    if status is not StatusFilter.ALL:
        stmt = stmt.where(Product.is_active.is_(status is StatusFilter.ACTIVE))
    if stock is StockFilter.LOW:
        stmt = stmt.where(Product.id.in_(levels.needs_restock()))
    elif stock is StockFilter.OUT:
        stmt = stmt.where(Product.id.in_(levels.out_of_stock()))
    if (condition := search.matches_all(Product.search_text, q)) is not None:
        stmt = stmt.where(condition)
    return stmt


async def product_list(
    db: AsyncSession,
    shop: Merchant,
    *,
    q: str | None,
    status: StatusFilter,
    stock: StockFilter,
    cursor: str | None,
) -> tuple[Sequence[Product], dict[int, levels.VariantStock], str | None]:
    """A page of products (newest first) and the stock of each of their variants (2 more queries)."""
    products, next_cursor = await keyset_page(
        db, _statement(shop, q, status, stock), Product.id, cursor=cursor, limit=PAGE_SIZE
    )
    stock_by_variant = await levels.variant_stock(db, [v for p in products for v in p.variants])
    return products, stock_by_variant, next_cursor
