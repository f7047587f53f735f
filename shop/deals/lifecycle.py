"""A deal from acceptance to completion: the only writer of `Deal.status` (machine in `models`).

Each step locks the deal's row, checks who may take it in which state, appends one `DealRound`,
tells both sides, and — when the deal ends without a published deliverable — stores the held fee's
refund. Callers commit, then send any stored refund (`fees.send_stored_refund`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.core.labels import DEAL_STATUS_LABELS, status_text
from shop.deals import binding, fees, news
from shop.deals.models import OPEN_DEAL_STATES, Deal, DealRound, DealStatus, Deliverable
from shop.deals.schemas import SettleIn, SubmitIn
from shop.notifications.services import Notifier

MAX_CHANGE_ROUNDS = 3
# What each side hears (a msgid: the inbox says it in the reader's language, shop/notifications/texts.py).
CANCEL_ASKED = {
    "creator": N_("the creator asked to cancel: deal disputed"),
    "merchant": N_("the merchant asked to cancel: deal disputed"),
}
SETTLED_NOTE = {  # the timeline's note when the operator wrote none (said in the reader's language)
    "release": N_("Settled by an operator: release."),
    "refund": N_("Settled by an operator: refund."),
    "split": N_("Settled by an operator: split."),
}
SETTLED = {
    "release": N_("dispute settled: release"),
    "refund": N_("dispute settled: refund"),
    "split": N_("dispute settled: split"),
}


async def get_deal(db: AsyncSession, deal_id: int, *, lock: bool = False) -> Deal:
    stmt = select(Deal).where(Deal.id == deal_id).execution_options(populate_existing=True)
    deal = await db.scalar(stmt.with_for_update(of=Deal) if lock else stmt)
    if deal is None:
        raise NotFound("No such deal.")
    return deal


def side_of(user: User, deal: Deal) -> str | None:
    if user.id == deal.creator_id:
        return "creator"
    if user.merchant is not None and user.merchant.id == deal.merchant_id:
        return "merchant"
    return None


async def visible_deal(db: AsyncSession, user: User, deal_id: int, *, lock: bool = False) -> Deal:
    """A deal its two sides (and operators) may see; to everyone else it does not exist."""
    deal = await get_deal(db, deal_id, lock=lock)
    if side_of(user, deal) is None and user.role != "operator":
        raise NotFound("No such deal.")
    return deal


async def creators_deal(db: AsyncSession, creator: User, deal_id: int) -> Deal:
    deal = await get_deal(db, deal_id, lock=True)
    if deal.creator_id != creator.id:
        raise NotFound("No such deal.")
    return deal


async def merchants_deal(db: AsyncSession, merchant: Merchant, deal_id: int) -> Deal:
    deal = await get_deal(db, deal_id, lock=True)
    if deal.merchant_id != merchant.id:
        raise NotFound("No such deal.")
    return deal


def _require(deal: Deal, *states: DealStatus) -> None:
    if deal.status not in states:
        raise Conflict(
            N_("This deal is %(status)s.", status=status_text(deal.status, DEAL_STATUS_LABELS)),
            fields={"status": deal.status},
        )


def _step(deal: Deal, kind: str, actor: User | None, message: str = "") -> None:
    deal.rounds.append(
        DealRound(deal_id=deal.id, kind=kind, actor_id=actor.id if actor else None, message=message)
    )


async def submit(db: AsyncSession, notifier: Notifier, creator: User, deal_id: int, data: SubmitIn) -> Deal:
    deal = await creators_deal(db, creator, deal_id)
    _require(deal, DealStatus.ACTIVE, DealStatus.CHANGES_REQUESTED)
    if deal.offer.deliverable == Deliverable.NOTE:
        if data.note_id is None or data.stream_id is not None:
            raise InvalidInput("This deal asks for a note.", fields={"note_id": "Required."})
        await binding.bind_note(db, deal, creator, data.note_id)
    else:
        if data.stream_id is None or data.note_id is not None:
            raise InvalidInput("This deal asks for a live stream.", fields={"stream_id": "Required."})
        await binding.bind_stream(db, deal, creator, data.stream_id)
    deal.status = DealStatus.SUBMITTED.value
    deal.review_due_at = clock.now() + timedelta(days=deal.review_days)
    _step(deal, "submitted", creator)
    await news.tell_merchant(
        db, notifier, deal.offer, N_("submitted work for review"), actor=creator, url=news.deal_url(deal)
    )
    return deal


async def request_changes(
    db: AsyncSession, notifier: Notifier, merchant: Merchant, deal_id: int, message: str
) -> Deal:
    """Rounds 1-3 send the work back; asking a 4th time means the two sides disagree: disputed."""
    deal = await merchants_deal(db, merchant, deal_id)
    _require(deal, DealStatus.SUBMITTED)
    deal.change_rounds += 1
    deal.review_due_at = None
    if deal.change_rounds > MAX_CHANGE_ROUNDS:
        deal.status = DealStatus.DISPUTED.value
        _step(deal, "disputed", merchant.owner, message)
        await news.tell_both(
            db, notifier, deal, N_("deal disputed after 3 rounds of changes"), merchant.owner
        )
        return deal
    deal.status = DealStatus.CHANGES_REQUESTED.value
    _step(deal, "changes_requested", merchant.owner, message)
    await news.tell_creator(
        db, notifier, deal.offer, N_("asked for changes"), actor=merchant.owner, url=news.deal_url(deal)
    )
    return deal


async def approve(db: AsyncSession, notifier: Notifier, merchant: Merchant | None, deal: Deal) -> Deal:
    """The merchant's approval, or the review period's silence (merchant None)."""
    _require(deal, DealStatus.SUBMITTED)
    deal.status, deal.review_due_at = DealStatus.APPROVED.value, None
    actor = merchant.owner if merchant else None
    _step(deal, "approved", actor, "" if merchant else N_("Approved: the review period passed in silence."))
    await news.tell_both(
        db, notifier, deal, N_("approved the work") if merchant else N_("work approved"), actor
    )
    if await binding.deliverable_is_public(db, deal):
        await publish(db, notifier, deal)
    return deal


async def publish(db: AsyncSession, notifier: Notifier, deal: Deal) -> None:
    """An approved deliverable that is public: the fee is the creator's, the note is protected."""
    if deal.status != DealStatus.APPROVED:
        return
    now = clock.now()
    deal.status, deal.published_at = DealStatus.PUBLISHED.value, now
    deal.protected_until = now + timedelta(days=deal.protection_days)
    fees.release(deal.offer.fee)
    _step(deal, "published", None)
    await news.tell_both(db, notifier, deal, N_("partnership published"), None)


async def expire(db: AsyncSession, notifier: Notifier, deal: Deal) -> None:
    """The deadline passed with no approved, public deliverable: the fee goes back."""
    _require(deal, DealStatus.ACTIVE, DealStatus.CHANGES_REQUESTED, DealStatus.APPROVED)
    deal.status = DealStatus.EXPIRED.value
    fees.refund(deal.offer.fee)
    _step(deal, "expired", None, N_("The deadline passed."))
    await news.tell_both(db, notifier, deal, N_("deal expired: the deadline passed"), None)


async def complete(db: AsyncSession, deal: Deal) -> None:
    _require(deal, DealStatus.PUBLISHED)
    deal.status = DealStatus.COMPLETED.value
    _step(deal, "completed", None)


async def cancel(db: AsyncSession, notifier: Notifier, user: User, deal_id: int, reason: str) -> Deal:
    """One side alone cannot cancel: its request makes the deal disputed, and the other side's
    agreement (or an operator) ends it."""
    deal = await visible_deal(db, user, deal_id, lock=True)
    side = side_of(user, deal)
    if side is None:
        raise NotFound("No such deal.")
    if deal.status == DealStatus.DISPUTED and deal.cancel_requested_by not in (None, side):
        deal.status = DealStatus.CANCELED.value
        fees.refund(deal.offer.fee)
        _step(deal, "canceled", user, reason)
        await news.tell_both(db, notifier, deal, N_("deal canceled by both sides"), user)
        return deal
    if deal.status not in OPEN_DEAL_STATES:
        raise Conflict(
            N_("This deal is %(status)s.", status=status_text(deal.status, DEAL_STATUS_LABELS)),
            fields={"status": deal.status},
        )
    deal.status, deal.cancel_requested_by = DealStatus.DISPUTED.value, side
    _step(deal, "cancel_requested", user, reason)
    await news.tell_both(db, notifier, deal, CANCEL_ASKED[side], user)
    return deal


async def settle(db: AsyncSession, notifier: Notifier, operator: User, deal_id: int, data: SettleIn) -> Deal:
    """An operator ends a dispute: release the fee to the creator, refund it, or split it."""
    deal = await get_deal(db, deal_id, lock=True)
    _require(deal, DealStatus.DISPUTED)
    fee = deal.offer.fee
    if data.outcome == "split":
        if data.creator_share_bps is None:
            raise InvalidInput("Say how the fee is split.", fields={"creator_share_bps": "Required."})
        if fee is not None:
            fees.refund(fee, fee.amount - fee.amount * data.creator_share_bps // 10_000)
    elif data.outcome == "refund":
        fees.refund(fee)
    else:
        fees.refund(fee, 0)
    deal.status = (DealStatus.CANCELED if data.outcome == "refund" else DealStatus.COMPLETED).value
    deal.settlement = data.outcome
    _step(deal, "settled", operator, data.message or SETTLED_NOTE[data.outcome])
    await news.tell_both(db, notifier, deal, SETTLED[data.outcome], operator)
    return deal


async def deliverable_went_public(db: AsyncSession, notifier: Notifier, deal_id: int | None) -> None:
    """A bound note was published or a bound stream went live: an approved deal is now published."""
    if deal_id is None:
        return
    deal = await get_deal(db, deal_id, lock=True)
    if deal.status == DealStatus.APPROVED and await binding.deliverable_is_public(db, deal):
        await publish(db, notifier, deal)
