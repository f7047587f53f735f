"""Reading offers and deals: each side's lists (the writers are `offers`, `lifecycle` and `fees`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.db import keyset_page
from shop.core.errors import InvalidInput, PermissionDenied
from shop.deals.models import Deal, DealStatus, FeeState, HeldFee, Offer, OfferStatus

Side = Literal["creator", "merchant"]


def side_for(user: User, role: Side | None) -> Side:
    """Which side of the user's deals to list: asked for, or the one the user has."""
    side: Side = role or ("merchant" if user.merchant is not None else "creator")
    if side == "merchant" and user.merchant is None:
        raise PermissionDenied("Only merchants have offers they sent.")
    if side == "creator" and user.role != "creator":
        raise PermissionDenied("Only creators receive offers.")
    return side


async def list_offers(
    db: AsyncSession, user: User, role: Side | None, status: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[Offer], str | None]:
    side = side_for(user, role)
    stmt = select(Offer)
    if side == "merchant":
        assert user.merchant is not None
        stmt = stmt.where(Offer.merchant_id == user.merchant.id)
    else:  # an offer whose fee is unpaid has not reached the creator
        stmt = stmt.where(Offer.creator_id == user.id, Offer.status != OfferStatus.AWAITING_PAYMENT)
    if status is not None:
        if status not in {s.value for s in OfferStatus}:
            raise InvalidInput(fields={"status": "Not an offer status."})
        stmt = stmt.where(Offer.status == status)
    return await keyset_page(db, stmt, Offer.id, cursor=cursor, limit=limit)


async def list_deals(
    db: AsyncSession, user: User, role: Side | None, status: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[Deal], str | None]:
    side = side_for(user, role)
    stmt = select(Deal)
    if side == "merchant":
        assert user.merchant is not None
        stmt = stmt.where(Deal.merchant_id == user.merchant.id)
    else:
        stmt = stmt.where(Deal.creator_id == user.id)
    if status is not None:
        if status not in {s.value for s in DealStatus}:
            raise InvalidInput(fields={"status": "Not a deal status."})
        stmt = stmt.where(Deal.status == status)
    return await keyset_page(db, stmt, Deal.id, cursor=cursor, limit=limit)


async def disputes(db: AsyncSession, cursor: str | None, limit: int) -> tuple[Sequence[Deal], str | None]:
    stmt = select(Deal).where(Deal.status == DealStatus.DISPUTED)
    return await keyset_page(db, stmt, Deal.id, cursor=cursor, limit=limit, newest_first=False)


async def deal_of_offer(db: AsyncSession, offer_id: int) -> Deal | None:
    return await db.scalar(select(Deal).where(Deal.offer_id == offer_id))


async def deals_of_offers(db: AsyncSession, offer_ids: Sequence[int]) -> dict[int, Deal]:
    if not offer_ids:
        return {}
    rows = await db.scalars(select(Deal).where(Deal.offer_id.in_(offer_ids)))
    return {deal.offer_id: deal for deal in rows.unique()}


async def fee_totals(db: AsyncSession, creator_id: int) -> list[dict[str, object]]:
    """The creator's flat fees per currency: held (waiting for published work) and released."""
    stmt = (
        select(HeldFee.currency, HeldFee.state, func.sum(HeldFee.amount), func.sum(HeldFee.release_amount))
        .join(Offer, Offer.id == HeldFee.offer_id)
        .join(Deal, Deal.offer_id == Offer.id)
        .where(Deal.creator_id == creator_id, HeldFee.state.in_([FeeState.HELD, FeeState.RELEASABLE]))
        .group_by(HeldFee.currency, HeldFee.state)
    )
    totals: dict[str, dict[str, object]] = {}
    for currency, state, amount, released in await db.execute(stmt):
        row = totals.setdefault(currency, {"currency": currency, "held": 0, "released": 0})
        key = "held" if state == FeeState.HELD else "released"
        row[key] = int(row[key]) + int((amount if key == "held" else released) or 0)  # type: ignore[call-overload]
    return list(totals.values())
