"""Shop standing: the operator's list of shops and the moves of `ShopStatus` (see its docstring).

A move is one conditional UPDATE on the shop's current status, so two operators (or a double tap)
change a shop once and its owner hears of it once. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import standing
from shop.accounts.models import Merchant, ShopStatus
from shop.catalog.models import Product
from shop.core import clock
from shop.core.db import keyset_page
from shop.core.errors import Conflict, NotFound
from shop.core.i18n import N_
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier


@dataclass(frozen=True, slots=True)
class Move:
    sources: frozenset[ShopStatus]
    target: ShopStatus
    kind: NotificationKind
    refusal: str  # why a shop in another status cannot make this move


MOVES = {
    "verify": Move(
        frozenset({ShopStatus.UNVERIFIED}),
        ShopStatus.VERIFIED,
        NotificationKind.SHOP_VERIFIED,
        N_("Reinstate this shop before verifying it."),
    ),
    "suspend": Move(
        frozenset({ShopStatus.UNVERIFIED, ShopStatus.VERIFIED}),
        ShopStatus.SUSPENDED,
        NotificationKind.SHOP_SUSPENDED,
        N_("This shop is already suspended."),
    ),
    "reinstate": Move(
        frozenset({ShopStatus.SUSPENDED}),
        ShopStatus.UNVERIFIED,
        NotificationKind.SHOP_REINSTATED,
        N_("Only a suspended shop can be reinstated."),
    ),
}


async def list_shops(
    db: AsyncSession, *, status: str | None, q: str | None, cursor: str | None, limit: int
) -> tuple[list[tuple[Merchant, int]], str | None]:
    """Newest shops first, each with its number of products."""
    stmt = select(Merchant)
    if status:
        stmt = stmt.where(Merchant.status == status)
    if q and q.strip():
        stmt = stmt.where(func.lower(Merchant.name).contains(q.strip().lower(), autoescape=True))
    shops, next_cursor = await keyset_page(db, stmt, Merchant.id, cursor=cursor, limit=limit)
    counts = await product_counts(db, [s.id for s in shops])
    return [(s, counts.get(s.id, 0)) for s in shops], next_cursor


async def product_counts(db: AsyncSession, shop_ids: Sequence[int]) -> dict[int, int]:
    if not shop_ids:
        return {}
    rows = await db.execute(
        select(Product.merchant_id, func.count(Product.id))
        .where(Product.merchant_id.in_(shop_ids))
        .group_by(Product.merchant_id)
    )
    return {shop_id: int(count) for shop_id, count in rows.all()}


async def move_shop(
    db: AsyncSession, notifier: Notifier, shop_id: int, action: str, reason: str = ""
) -> Merchant:
    """Verify, suspend or reinstate. Repeating a move that is done already changes nothing (200)."""
    move = MOVES[action]
    shop = await db.get(Merchant, shop_id)
    if shop is None:
        raise NotFound("No such shop.")
    if shop.status == move.target:
        return shop
    if shop.status not in move.sources:
        raise Conflict(move.refusal, fields={"status": shop.status})
    moved = await db.execute(
        update(Merchant)
        .where(Merchant.id == shop.id, Merchant.status.in_([s.value for s in move.sources]))
        .values(status=move.target.value, status_reason=reason, status_changed_at=clock.now())
    )
    await db.refresh(shop)
    if not moved.rowcount:  # type: ignore[attr-defined]  # another operator moved it between our read and our write
        if shop.status == move.target:
            return shop
        raise Conflict(move.refusal, fields={"status": shop.status})
    await standing.moved(db)  # the hot paths' cached standing (a flash sale's shop) is read again
    # The owner reads the reason (a suspension's) or their shop's name in the inbox.
    await notifier.notify(db, shop.owner_id, move.kind, subject=reason or shop.name, url=f"/shops/{shop.id}")
    return shop


async def shop_count_by_status(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(Merchant.status, func.count(Merchant.id)).group_by(Merchant.status))
    counts = {s.value: 0 for s in ShopStatus}
    counts.update({status: int(count) for status, count in rows.all()})
    return counts
