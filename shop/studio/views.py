"""What the composer starts from: the note being edited (as the API shows it) or an empty form."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.deals import services as deal_services
from shop.deals import views as deal_views
from shop.notes import services as notes
from shop.notes.schemas import MAX_IMAGES, MAX_TAGS_PER_IMAGE, MAX_TAGS_PER_NOTE, note_out
from shop.studio import services


async def composer_state(
    db: AsyncSession, user: User, note_id: int | None, deal_id: int | None = None
) -> dict[str, Any]:
    """`deal_id` (a new note): written for that deal, so it carries the deal's label from the start."""
    limits = {"images": MAX_IMAGES, "tags_per_image": MAX_TAGS_PER_IMAGE, "tags_per_note": MAX_TAGS_PER_NOTE}
    author = {"id": user.id, "display_name": user.display_name, "avatar_url": user.avatar_url}
    if note_id is None:
        services.require_poster(user)
        deal = await services.deal_to_write_for(db, user, deal_id) if deal_id else None
        return {"note": None, "limits": limits, "author": author, "deal": deal}
    note = await services.own_note(db, user, note_id)
    detail = note_out(note, await notes.tagged_products(db, note))
    disclosure = detail.disclosure or {}
    brand = disclosure.get("brand")
    deal = {"id": disclosure["deal_id"], "brand": brand} if disclosure.get("deal_id") else None
    return {"note": detail.model_dump(mode="json"), "limits": limits, "author": author, "deal": deal}


async def partnership_summary(db: AsyncSession, user: User) -> tuple[list[Any], list[dict[str, object]]]:
    """The studio's deals (each with what it waits for) and its fee totals; creators only."""
    if user.role != "creator":
        return [], []
    rows, _ = await deal_services.list_deals(db, user, "creator", None, None, 10)
    return [deal_views.deal_out(d) for d in rows], await deal_services.fee_totals(db, user.id)
