"""Offers and deals shaped for the API and the pages: one status, the next action and its date."""

from __future__ import annotations

from shop.core.i18n import N_, gettext
from shop.core.labels import DEAL_STATUS_LABELS, status_text
from shop.core.schemas import MoneyOut
from shop.deals.lifecycle import MAX_CHANGE_ROUNDS
from shop.deals.models import Deal, DealStatus, Deliverable, HeldFee, Offer
from shop.deals.schemas import (
    BoundOut,
    DealOut,
    DealRef,
    FeeOut,
    FlashTermsOut,
    NextAction,
    OfferOut,
    PartyCreator,
    PartyMerchant,
    ProductBrief,
    RoundOut,
)

CONTRACT_ROUNDS = frozenset({"submitted", "changes_requested", "approved"})


def _money(amount: int, currency: str) -> MoneyOut:
    return MoneyOut(amount=amount, currency=currency)


def fee_out(fee: HeldFee | None) -> FeeOut | None:
    if fee is None:
        return None
    return FeeOut(
        state=fee.state,
        amount=_money(fee.amount, fee.currency),
        refunded=_money(fee.refund_amount if fee.state == "refunded" else 0, fee.currency),
        releasable=_money(fee.release_amount if fee.state in ("releasable", "refunded") else 0, fee.currency),
    )


def _terms(offer: Offer) -> FlashTermsOut | None:
    if offer.flash_max_quantity is None:
        return None
    return FlashTermsOut(
        max_quantity=offer.flash_max_quantity,
        min_price=_money(offer.flash_min_price or 0, offer.currency),
        per_customer_limit=offer.flash_per_customer_limit or 0,
    )


def _products(offer: Offer) -> list[ProductBrief]:
    return [ProductBrief(id=item.product.id, name=item.product.name) for item in offer.items]


def offer_out(offer: Offer, deal: Deal | None = None) -> OfferOut:
    fee = offer.fee
    return OfferOut(
        id=offer.id,
        status=offer.status,
        merchant=PartyMerchant(id=offer.merchant.id, name=offer.merchant.name),
        creator=PartyCreator(id=offer.creator.id, display_name=offer.creator.display_name),
        products=_products(offer),
        product_ids=offer.product_ids,
        deliverable=offer.deliverable,
        brief=offer.brief,
        due_at=offer.due_at,
        expires_at=offer.expires_at,
        flat_fee=_money(offer.fee_amount, offer.currency) if offer.fee_amount is not None else None,
        commission_bps=offer.commission_bps,
        samples=offer.samples,
        live_flash_sale=_terms(offer),
        fee=fee_out(fee),
        deal=DealRef(id=deal.id, status=deal.status) if deal else None,
        created_at=offer.created_at,
    )


# What the next move is, per deliverable: whole sentences, so each language words them its own way.
_WORK = {
    Deliverable.NOTE: {
        "submit": N_("Submit the note for review"),
        "resubmit": N_("Change the note and submit it again"),
        "review": N_("Review the note: approve or ask for changes"),
        "publish": N_("Publish the note"),
    },
    Deliverable.STREAM: {
        "submit": N_("Submit the live stream for review"),
        "resubmit": N_("Change the live stream and submit it again"),
        "review": N_("Review the live stream: approve or ask for changes"),
        "publish": N_("Go live"),
    },
}
_SETTLES = {
    "creator": N_("An operator settles it, or the creator agrees to cancel"),
    "merchant": N_("An operator settles it, or the merchant agrees to cancel"),
}


def next_action(deal: Deal) -> NextAction:
    """Whose move it is, what it is (in the reader's language), and by when (None: the deal is over)."""
    work = _WORK[Deliverable(deal.offer.deliverable)]
    due = deal.offer.due_at
    status = DealStatus(deal.status)
    if status == DealStatus.ACTIVE:
        return NextAction(who="creator", what=gettext(work["submit"]), by=due)
    if status == DealStatus.CHANGES_REQUESTED:
        return NextAction(who="creator", what=gettext(work["resubmit"]), by=due)
    if status == DealStatus.SUBMITTED:
        return NextAction(who="merchant", what=gettext(work["review"]), by=deal.review_due_at)
    if status == DealStatus.APPROVED:
        return NextAction(who="creator", what=gettext(work["publish"]), by=due)
    if status == DealStatus.PUBLISHED:
        what = gettext("Published: the work is protected")
        return NextAction(who=None, what=what, by=deal.protected_until)
    if status == DealStatus.DISPUTED:
        other = {"creator": "merchant", "merchant": "creator"}.get(deal.cancel_requested_by or "")
        what = gettext(_SETTLES[other] if other else N_("An operator settles it"))
        return NextAction(who="operator", what=what, by=None)
    label = status_text(status.value, DEAL_STATUS_LABELS)
    return NextAction(who=None, what=gettext(N_("Nothing: the deal is %(status)s", status=label)), by=None)


def _round(deal: Deal, kind: str, message: str, at: object, actor_id: int | None) -> RoundOut:
    by = "creator" if actor_id == deal.creator_id else ("merchant" if actor_id is not None else None)
    if actor_id is not None and actor_id not in (deal.creator_id, deal.offer.merchant.owner_id):
        by = "operator"
    return RoundOut(kind=kind, message=message or None, at=at, by=by)  # type: ignore[arg-type]


def deal_out(deal: Deal) -> DealOut:
    offer = deal.offer
    timeline = [_round(deal, r.kind, r.message, r.created_at, r.actor_id) for r in deal.rounds]
    return DealOut(
        id=deal.id,
        offer_id=offer.id,
        status=deal.status,
        merchant=PartyMerchant(id=offer.merchant.id, name=offer.merchant.name),
        creator=PartyCreator(id=offer.creator.id, display_name=offer.creator.display_name),
        products=_products(offer),
        deliverable=offer.deliverable,
        brief=offer.brief,
        flat_fee=_money(offer.fee_amount, offer.currency) if offer.fee_amount is not None else None,
        commission_bps=offer.commission_bps,
        samples=offer.samples,
        live_flash_sale=_terms(offer),
        due_at=offer.due_at,
        bound=BoundOut(note_id=deal.note_id, stream_id=deal.stream_id),
        rounds=[r for r in timeline if r.kind in CONTRACT_ROUNDS],
        timeline=timeline,
        changes_left=max(MAX_CHANGE_ROUNDS - deal.change_rounds, 0),
        next_action=next_action(deal),
        fee=fee_out(offer.fee),
        published_at=deal.published_at,
        protected_until=deal.protected_until,
        settlement=deal.settlement,
        created_at=deal.created_at,
    )
