"""What a deal is about: the note or stream bound to it, its disclosure label, and its protection.

A bound deliverable always carries "Paid partnership with {brand}": the label is derived from the
binding, never typed, so it cannot be left off. Streams are asked through `shop.streams`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop import streams
from shop.accounts.models import User
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.core.labels import DEAL_STATUS_LABELS, status_text
from shop.deals.models import OPEN_DEAL_STATES, Deal, DealStatus, Deliverable
from shop.notes.models import Note, NoteStatus

PAID_PARTNERSHIP = "paid_partnership"
SELF_DECLARED = frozenset({"gifted", "own_brand", "affiliate"})
# Bound work the merchant is looking at, or has approved, is not edited under them (once published,
# the protection period says how long).
FROZEN_STATES = frozenset({DealStatus.SUBMITTED, DealStatus.APPROVED})


def disclosure(kind: str | None, deal: Deal | None) -> dict[str, Any] | None:
    """The JSON every note and stream carries: `{kind, brand, deal_id}` or None."""
    if deal is not None:
        brand = {"id": deal.offer.merchant.id, "name": deal.offer.merchant.name}
        return {"kind": PAID_PARTNERSHIP, "brand": brand, "deal_id": deal.id}
    if kind in SELF_DECLARED:
        return {"kind": kind, "brand": None, "deal_id": None}
    return None


def check_declared(kind: str | None, deal_id: int | None) -> None:
    """A label the author types: never on work bound to a deal, whose label is paid partnership."""
    if deal_id is not None and kind is not None and kind != PAID_PARTNERSHIP:
        raise InvalidInput(
            "A note bound to a deal is labelled as a paid partnership.",
            fields={"disclosure": "Paid partnership, set by the deal."},
        )


async def bind_note(db: AsyncSession, deal: Deal, creator: User, note_id: int) -> Note:
    note = await db.get(Note, note_id, populate_existing=True)
    if note is None or note.author_id != creator.id:
        raise NotFound("No such note.", fields={"note_id": "Not your note."})
    if note.deal_id not in (None, deal.id):
        raise Conflict("That note is bound to another deal.", fields={"note_id": "Bound to another deal."})
    if deal.note_id not in (None, note.id) and deal.status != DealStatus.CHANGES_REQUESTED:
        raise Conflict("This deal already has a note.", fields={"note_id": "Already bound."})
    note.deal, note.disclosure_kind = deal, PAID_PARTNERSHIP
    deal.note_id = note.id
    return note


async def bind_stream(db: AsyncSession, deal: Deal, creator: User, stream_id: int) -> None:
    await streams.live().bind(db, deal, creator, stream_id)


async def stream_candidates(db: AsyncSession, host_id: int) -> list[tuple[int, str, str]]:
    return await streams.live().candidates(db, host_id)


async def flash_allocated(db: AsyncSession, deal_id: int) -> int:
    return await streams.live().flash_allocated(db, deal_id)


async def attach_new_note(db: AsyncSession, note: Note, author: User, deal_id: int) -> None:
    """A note written for a deal from the start (`deal_id` on create): the deal must be the
    author's, ask for a note, and still take work."""
    deal = await db.scalar(select(Deal).where(Deal.id == deal_id))
    if deal is None or deal.creator_id != author.id:
        raise NotFound("No such deal.", fields={"deal_id": "Not your deal."})
    if deal.offer.deliverable != Deliverable.NOTE or deal.status not in OPEN_DEAL_STATES:
        raise InvalidInput("That deal does not take a note now.", fields={"deal_id": deal.status})
    note.deal, note.disclosure_kind = deal, PAID_PARTNERSHIP  # the object: the label is read right after
    if deal.note_id is None:
        deal.note_id = note.id


async def deliverable_is_public(db: AsyncSession, deal: Deal) -> bool:
    if deal.offer.deliverable == Deliverable.NOTE:
        note = await db.get(Note, deal.note_id) if deal.note_id else None
        return note is not None and note.status == NoteStatus.PUBLISHED
    return deal.stream_id is not None and await streams.live().is_public(db, deal.stream_id)


async def guard_note_change(db: AsyncSession, note: Note, *, deleting: bool) -> None:
    """Bound work under review or approved is not edited; a published one is not deleted while
    the deal's protection lasts (`PROTECTION_DAYS`)."""
    if note.deal_id is None:
        return
    deal = await db.get(Deal, note.deal_id)
    if deal is None:
        return
    protected = deal.protected_until is not None and clock.now() < deal.protected_until
    if deal.status in FROZEN_STATES or protected or (deleting and deal.status in OPEN_DEAL_STATES):
        message = (
            N_(
                "This note is part of a paid partnership and is protected until %(day)s.",
                day=f"{deal.protected_until:%Y-%m-%d}",
            )
            if protected and deal.protected_until
            else N_("This note is part of a paid partnership and is protected.")
        )
        raise Conflict(
            message,
            fields={
                "note_id": N_(
                    "Bound to deal %(id)s (%(status)s).",
                    id=deal.id,
                    status=status_text(deal.status, DEAL_STATUS_LABELS),
                )
            },
        )
