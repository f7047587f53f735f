"""What the partnership pages show beyond the API's shapes: the forms' choices and each side's moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, Role, User
from shop.catalog.models import Product
from shop.catalog.schemas import product_card_out
from shop.core import clock
from shop.deals import binding, views
from shop.deals.lifecycle import side_of
from shop.deals.models import OPEN_DEAL_STATES, Deal, DealStatus, Deliverable
from shop.notes.models import Note
from shop.settings import Settings


async def offer_form_context(
    db: AsyncSession, merchant: Merchant, creator_id: int | None, settings: Settings
) -> dict[str, Any]:
    creator = await db.get(User, creator_id) if creator_id else None
    if creator is not None and creator.role != Role.CREATOR:
        creator = None
    stmt = select(Product).where(Product.merchant_id == merchant.id, Product.is_active.is_(True))
    products = (await db.scalars(stmt.order_by(Product.id.desc()).limit(100))).unique().all()
    return {
        "creator": creator,
        "products": [product_card_out(p) for p in products],
        "currency": merchant.currency,
        "default_due": (clock.now() + timedelta(days=14)).date().isoformat(),
        "expiry_days": settings.offer_expiry_days,
    }


async def _note_choices(db: AsyncSession, deal: Deal) -> list[Note]:
    """The creator's own notes that are free for this deal (not bound to another one)."""
    stmt = (
        select(Note)
        .where(Note.author_id == deal.creator_id, or_(Note.deal_id.is_(None), Note.deal_id == deal.id))
        .order_by(Note.id.desc())
        .limit(20)
    )
    return list((await db.scalars(stmt)).unique().all())


async def deal_page_context(db: AsyncSession, user: User, deal: Deal) -> dict[str, Any]:
    side = side_of(user, deal) or ("operator" if user.role == Role.OPERATOR else None)
    out = views.deal_out(deal)
    bound_note = await db.get(Note, deal.note_id) if deal.note_id else None
    can_submit = side == "creator" and deal.status in (DealStatus.ACTIVE, DealStatus.CHANGES_REQUESTED)
    note_choices: list[Note] = []
    stream_choices: list[tuple[int, str, str]] = []
    if can_submit and deal.offer.deliverable == Deliverable.NOTE:
        note_choices = await _note_choices(db, deal)
    elif can_submit:
        stream_choices = await binding.stream_candidates(db, deal.creator_id)
    return {
        "deal": out,
        "side": side,
        "bound_note": bound_note,
        "can_submit": can_submit,
        "note_choices": note_choices,
        "stream_choices": stream_choices,
        "can_review": side == "merchant" and deal.status == DealStatus.SUBMITTED,
        "can_cancel": side in ("creator", "merchant")
        and (
            deal.status in OPEN_DEAL_STATES
            or (deal.status == DealStatus.DISPUTED and deal.cancel_requested_by not in (None, side))
        ),
        "can_settle": side == "operator" and deal.status == DealStatus.DISPUTED,
        "steps": ["active", "submitted", "approved", "published", "completed"],
        "flash_allocated": (
            await binding.flash_allocated(db, deal.id) if deal.offer.flash_max_quantity is not None else None
        ),
    }
