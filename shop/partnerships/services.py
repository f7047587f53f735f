"""Open collaborations: a merchant opens its own product to every creator at a commission rate,
changes the rate (a cut only after notice) or closes it; creators browse them in the marketplace.

The rate history (`collaboration_rates`) is the truth about money: `rate_in_force` reads it, and
so do the marketplace's sort and filter, through the same SQL (`rate_at`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from shop.accounts.models import Merchant, in_open_shop
from shop.catalog.models import Product, ProductCategory
from shop.catalog.services import get_own_product
from shop.core import clock, search
from shop.core.errors import AlreadyExists, Conflict, NotFound
from shop.core.money import format_bps
from shop.core.pagination import cursor_ints, encode_cursor
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier
from shop.partnerships.models import Collaboration, CollaborationRate, CollaborationStatus, ShowcaseItem
from shop.partnerships.schemas import CollaborationIn


class Sort(enum.StrEnum):
    RATE = "rate"  # the rate in force now, highest first
    NEW = "new"  # newest first


@dataclass(frozen=True, slots=True)
class PendingRate:
    """An announced cut: `commission_bps` from `effective_at` on."""

    commission_bps: int
    effective_at: datetime


@dataclass(frozen=True, slots=True)
class Rates:
    commission_bps: int  # in force now
    pending: PendingRate | None


@dataclass(frozen=True, slots=True)
class Listed:
    """A marketplace row: the collaboration (its product joined) and its rates now."""

    collaboration: Collaboration
    rates: Rates


# --- the rate history -----------------------------------------------------------------------------


def _standing(row: Any) -> ColumnElement[bool]:
    """`row` (an alias of collaboration_rates) was not replaced: no later announcement came before
    it took effect. A replaced row never applies."""
    later = aliased(CollaborationRate)
    return ~exists().where(
        later.collaboration_id == row.collaboration_id,
        later.id > row.id,
        later.created_at < row.effective_at,
    )


def rate_at(collaboration_id: Any, at: datetime) -> ScalarSelect[int]:
    """SQL for the rate in force at `at`: the newest standing row already in effect.

    (Standing rows take effect in the order they were written, so "newest" is the highest id.)
    `collaboration_id` may be a column, to rate every row of a query.
    """
    row = aliased(CollaborationRate)
    return (
        select(row.commission_bps)
        .where(row.collaboration_id == collaboration_id, row.effective_at <= at, _standing(row))
        .order_by(row.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def rate_in_force(db: AsyncSession, collaboration_id: int, at: datetime) -> int:
    """The commission (basis points) an order placed at `at` through this collaboration earns.

    This is what an order line copies when it is attributed to the collaboration (the payouts
    issue): a raise counts from the moment it was made, a cut only for orders placed after its
    notice ran out, and a change announced inside an earlier cut's notice replaces that cut.
    0 before the collaboration opened. It reads rates only: whether the collaboration was still
    open at `at` (`status`, `closed_at`) is the caller's question.
    """
    return int(await db.scalar(select(rate_at(collaboration_id, at))) or 0)


async def rates_now(db: AsyncSession, collaboration_ids: Iterable[int]) -> dict[int, Rates]:
    """Each collaboration's rate in force now and its announced cut, if any (two queries)."""
    ids = sorted(set(collaboration_ids))
    if not ids:
        return {}
    now = clock.now()
    current = await db.execute(
        select(Collaboration.id, rate_at(Collaboration.id, now)).where(Collaboration.id.in_(ids))
    )
    row = aliased(CollaborationRate)
    # At most one standing row lies ahead: a newer one would have replaced it.
    ahead = await db.execute(
        select(row.collaboration_id, row.commission_bps, row.effective_at).where(
            row.collaboration_id.in_(ids), row.effective_at > now, _standing(row)
        )
    )
    pending = {cid: PendingRate(bps, at) for cid, bps, at in ahead.all()}
    return {cid: Rates(int(bps or 0), pending.get(cid)) for cid, bps in current.all()}


async def change_rate(
    db: AsyncSession,
    merchant: Merchant,
    collaboration_id: int,
    commission_bps: int,
    *,
    notice: timedelta,
    notifier: Notifier,
) -> Collaboration:
    """A raise applies now; a cut to orders placed after `notice`, and the creators who show the
    product hear of it. Setting the rate in force again withdraws an announced cut."""
    row = await _lock_own(db, merchant, collaboration_id)
    if row.status != CollaborationStatus.OPEN:
        raise Conflict("This collaboration is closed: open the product again to set a rate.")
    now = clock.now()
    rates = (await rates_now(db, [row.id]))[row.id]
    if commission_bps == rates.commission_bps and rates.pending is None:
        return row
    cut = commission_bps < rates.commission_bps
    effective_at = now + notice if cut else now
    db.add(_rate_row(row.id, commission_bps, effective_at, now))
    row.commission_bps = commission_bps
    await db.flush()
    if cut:
        await _tell_showcases(db, notifier, row, rates.commission_bps, commission_bps)
    return row


def _rate_row(collaboration_id: int, bps: int, effective_at: datetime, now: datetime) -> CollaborationRate:
    # created_at is the announcement's moment: `_standing` compares it with other rows' effective_at.
    return CollaborationRate(
        collaboration_id=collaboration_id,
        commission_bps=bps,
        effective_at=effective_at,
        created_at=now,
        updated_at=now,
    )


async def _tell_showcases(
    db: AsyncSession, notifier: Notifier, row: Collaboration, old_bps: int, new_bps: int
) -> None:
    creators = await db.scalars(
        select(ShowcaseItem.creator_id).where(ShowcaseItem.product_id == row.product_id)
    )
    product = row.product
    # Names and numbers only: the words around them are the reader's language (the inbox template).
    subject = f"{product.name} · {product.merchant.name} · {format_bps(old_bps)} → {format_bps(new_bps)}"
    await notifier.notify_many(
        db,
        creators.all(),
        NotificationKind.RATE_CHANGE,
        subject=subject,
        url="/studio/marketplace?showcase=1",
    )


async def _lock_own(db: AsyncSession, merchant: Merchant, collaboration_id: int) -> Collaboration:
    """The merchant's own collaboration, row-locked so two rate changes queue (others' are 404)."""
    await db.execute(
        update(Collaboration)
        .where(Collaboration.id == collaboration_id, Collaboration.merchant_id == merchant.id)
        .values(status=Collaboration.status)
    )
    fresh = select(Collaboration).where(
        Collaboration.id == collaboration_id, Collaboration.merchant_id == merchant.id
    )
    row = (await db.scalars(fresh.execution_options(populate_existing=True))).unique().one_or_none()
    if row is None:
        raise NotFound("No such collaboration.")
    return row


# --- opening and closing --------------------------------------------------------------------------


async def open_collaboration(db: AsyncSession, merchant: Merchant, data: CollaborationIn) -> Collaboration:
    product = await get_own_product(db, merchant, data.product_id)  # another shop's product: 404
    if not product.is_active:
        raise NotFound("No such product.")
    row = Collaboration(product_id=product.id, merchant_id=merchant.id, commission_bps=data.commission_bps)
    db.add(row)
    try:
        await db.flush()
    except IntegrityError:  # the partial unique index: one open collaboration per product
        raise AlreadyExists(
            "This product is already open for collaboration.", fields={"product_id": "Already open."}
        ) from None
    now = clock.now()
    db.add(_rate_row(row.id, data.commission_bps, now, now))
    await db.flush()
    return row


async def close_collaboration(db: AsyncSession, merchant: Merchant, collaboration_id: int) -> Collaboration:
    row = await db.get(Collaboration, collaboration_id)
    if row is None or row.merchant_id != merchant.id:
        raise NotFound("No such collaboration.")
    if row.status == CollaborationStatus.OPEN:
        row.status, row.closed_at = CollaborationStatus.CLOSED.value, clock.now()
        await db.flush()
    return row


# --- the marketplace ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    q: str | None = None
    min_bps: int | None = None
    category: ProductCategory | None = None
    showcase_of: int | None = None  # only products in this creator's showcase


async def open_collaborations(
    db: AsyncSession, filters: Filters, *, sort: Sort, cursor: str | None, limit: int
) -> tuple[list[Listed], str | None]:
    """Open collaborations on active products of open shops, by the rate in force now or newest."""
    rated = _rated(filters).subquery()
    stmt: Select[Any] = select(Collaboration, rated.c.bps).join(rated, rated.c.id == Collaboration.id)
    if filters.min_bps is not None:
        stmt = stmt.where(rated.c.bps >= filters.min_bps)
    after = cursor_ints(cursor, "bps", "id")  # the last row of the previous page
    if sort == Sort.RATE:
        if after is not None:
            bps, last = after
            stmt = stmt.where(or_(rated.c.bps < bps, and_(rated.c.bps == bps, Collaboration.id < last)))
        stmt = stmt.order_by(rated.c.bps.desc(), Collaboration.id.desc())
    else:
        if after is not None:
            stmt = stmt.where(Collaboration.id < after[1])
        stmt = stmt.order_by(Collaboration.id.desc())
    rows = (await db.execute(stmt.limit(limit + 1))).unique().all()
    page = rows[:limit]
    pending = await rates_now(db, [r[0].id for r in page])
    items = [Listed(row, Rates(int(bps or 0), pending[row.id].pending)) for row, bps in page]
    if len(rows) <= limit:
        return items, None
    return items, encode_cursor({"bps": int(page[-1][1] or 0), "id": page[-1][0].id})


def _rated(filters: Filters) -> Select[int, int]:
    """The open collaborations that pass the filters, each with its rate in force now (`bps`)."""
    stmt: Select[int, int] = (
        select(Collaboration.id.label("id"), rate_at(Collaboration.id, clock.now()).label("bps"))
        .join(Product, Product.id == Collaboration.product_id)
        .where(
            Collaboration.status == CollaborationStatus.OPEN,
            Product.is_active.is_(True),
            in_open_shop(Product.merchant_id),  # a suspended shop's products are nobody's to sell
        )
    )
    if filters.category is not None:
        stmt = stmt.where(Product.category == filters.category.value)
    if (condition := search.matches_all(Product.search_text, filters.q)) is not None:
        stmt = stmt.where(condition)
    if filters.showcase_of is not None:
        shown = select(ShowcaseItem.product_id).where(ShowcaseItem.creator_id == filters.showcase_of)
        stmt = stmt.where(Collaboration.product_id.in_(shown))
    return stmt


async def open_for_products(db: AsyncSession, product_ids: Sequence[int]) -> dict[int, Collaboration]:
    """Each product's open collaboration, where it has one."""
    if not product_ids:
        return {}
    rows = await db.scalars(
        select(Collaboration).where(
            Collaboration.product_id.in_(product_ids), Collaboration.status == CollaborationStatus.OPEN
        )
    )
    return {row.product_id: row for row in rows.unique()}
