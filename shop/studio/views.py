"""What the composer starts from: the note being edited (as the API shows it) or an empty form."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.notes import services as notes
from shop.notes.schemas import MAX_IMAGES, MAX_TAGS_PER_IMAGE, MAX_TAGS_PER_NOTE, note_out
from shop.studio import services


async def composer_state(db: AsyncSession, user: User, note_id: int | None) -> dict[str, Any]:
    limits = {"images": MAX_IMAGES, "tags_per_image": MAX_TAGS_PER_IMAGE, "tags_per_note": MAX_TAGS_PER_NOTE}
    author = {"id": user.id, "display_name": user.display_name, "avatar_url": user.avatar_url}
    if note_id is None:
        services.require_poster(user)
        return {"note": None, "limits": limits, "author": author}
    note = await services.own_note(db, user, note_id)
    detail = note_out(note, await notes.tagged_products(db, note))
    return {"note": detail.model_dump(mode="json"), "limits": limits, "author": author}
