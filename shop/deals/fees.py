"""The offer's flat fee: charged with the same card flow as orders, held, then refunded or released.

The only writer of `HeldFee.state` (see the machine in `shop.deals.models`). Stripe's word is taken
from a PaymentIntent just created, confirmed or retrieved, never from a webhook body.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import PaymentDeclined, StripeFailure, StripeInvalidRequest
from payments.gateway import Intent, StripeGateway
from shop.core import clock
from shop.core.errors import InvalidInput
from shop.core.keys import new_key
from shop.deals.models import FeeState, HeldFee, Offer
from shop.deals.schemas import OfferPayIn

log = logging.getLogger("zhongcao.deals")


def new_fee(offer: Offer, amount: int, currency: str) -> HeldFee:
    """The fee row and its first attempt's key, stored with the offer before Stripe hears of it."""
    return HeldFee(
        offer_id=offer.id,
        amount=amount,
        currency=currency,
        idempotency_key=new_key("offer", offer.id, "fee", 1),
    )


async def charge(db: AsyncSession, gateway: StripeGateway, offer: Offer, data: OfferPayIn) -> Intent | None:
    """Charge the collected card for the offer's fee. A decline raises (402); 3DS returns the intent
    in `requires_action` and the browser finishes it. The caller holds the offer's row lock."""
    fee = offer.fee
    if fee is None or fee.state != FeeState.UNPAID:
        return None
    method = await gateway.collected_card(
        card_token=data.card_token, setup_intent_id=data.setup_intent_id, payment_method=data.payment_method
    )
    if not method:
        raise InvalidInput(
            "Send the card as card_token, payment_method or setup_intent_id.",
            fields={"payment_method": "Required."},
        )
    if fee.payment_intent_id is not None or fee.error_message:
        # A declined or 3DS-pending attempt cannot take another card (and Stripe would replay the
        # decline under the same key): a new attempt, with a new stored key.
        fee.attempt += 1
        fee.idempotency_key = new_key("offer", offer.id, "fee", fee.attempt)
        fee.payment_intent_id = fee.client_secret = None
        fee.intent_status, fee.error_message = "new", None
    await db.commit()  # the attempt's key is stored before Stripe hears of it
    try:
        intent = await gateway.create_intent(
            amount=fee.amount,
            currency=fee.currency,
            idempotency_key=fee.idempotency_key,
            metadata={"offer_id": str(offer.id), "attempt": str(fee.attempt)},
            payment_method=method,
            transfer_group=f"offer_{offer.id}",  # a release to the creator joins the same group
        )
    except PaymentDeclined as declined:
        fee.intent_status, fee.error_message = "requires_payment_method", declined.message
        await db.commit()
        raise
    record(fee, intent)
    return intent


def record(fee: HeldFee, intent: Intent) -> None:
    fee.payment_intent_id = intent.id
    fee.client_secret = intent.client_secret or fee.client_secret
    fee.intent_status, fee.error_message = intent.status, intent.error_message


async def fee_for_intent(db: AsyncSession, intent: Intent) -> HeldFee | None:
    fee = await db.scalar(select(HeldFee).where(HeldFee.payment_intent_id == intent.id))
    offer_id = intent.metadata.get("offer_id", "")
    if fee is None and offer_id.isdigit():
        # Created, but its id never stored (we crashed in between): found by the offer and attempt.
        fee = await db.scalar(select(HeldFee).where(HeldFee.offer_id == int(offer_id)))
        if (
            fee is not None
            and str(fee.attempt) == intent.metadata.get("attempt")
            and not fee.payment_intent_id
        ):
            record(fee, intent)
    return fee if fee is not None and fee.payment_intent_id == intent.id else None


def mark_held(fee: HeldFee, intent: Intent) -> bool:
    """True when this intent's success is news: the fee moves from unpaid to held."""
    fee.intent_status, fee.error_message = intent.status, intent.error_message
    if intent.status != "succeeded" or fee.state != FeeState.UNPAID:
        return False
    fee.state, fee.held_at = FeeState.HELD.value, clock.now()
    return True


async def refresh(db: AsyncSession, gateway: StripeGateway, fee: HeldFee) -> Intent | None:
    """Stripe's word on an unpaid fee's current intent (after 3DS in the browser); best effort."""
    if fee.state != FeeState.UNPAID or not fee.payment_intent_id:
        return None
    try:
        return await gateway.retrieve_intent(fee.payment_intent_id)
    except StripeFailure as error:
        log.warning("fee %s: shown as last known, Stripe failed: %s", fee.id, error.message)
        return None


def refund(fee: HeldFee | None, amount: int | None = None) -> bool:
    """Give back `amount` (all of it by default) of a held fee; the rest becomes releasable.

    Only the refund's key and amount are written here, with the caller's transaction; the caller
    sends it after its commit (`send_stored_refund`), and the jobs retry it with the same key until
    Stripe accepts. True when a refund is now waiting to be sent."""
    if fee is None or fee.state not in (FeeState.HELD, FeeState.RELEASABLE):
        return False
    amount = fee.amount if amount is None else amount
    fee.release_amount = fee.amount - amount
    if amount <= 0:
        fee.state = FeeState.RELEASABLE.value
        return False
    fee.refund_amount, fee.refund_key = amount, new_key("offer", fee.offer_id, "fee-refund")
    fee.state = FeeState.REFUNDING.value
    return True


def release(fee: HeldFee | None) -> None:
    """The deliverable is published: the whole fee is the creator's (issue 11 transfers it)."""
    if fee is not None and fee.state == FeeState.HELD:
        fee.state, fee.release_amount = FeeState.RELEASABLE.value, fee.amount


async def send_stored_refund(db: AsyncSession, gateway: StripeGateway, fee: HeldFee | None) -> None:
    """After the commit that stored the refund: try it now; if Stripe is unreachable, the job will."""
    if fee is None or fee.state != FeeState.REFUNDING:
        return
    try:
        await send_refund(db, gateway, fee.id)
    except StripeFailure as undecided:
        log.warning("fee %s refund queued: %s", fee.id, undecided.message)
        await db.rollback()


async def send_refund(db: AsyncSession, gateway: StripeGateway, fee_id: int) -> bool:
    """Send one stored fee refund under its stored key; a Stripe failure raises for the caller to
    record (the job backs off and tries again with the same key)."""
    fee = await db.get(HeldFee, fee_id, with_for_update=True, populate_existing=True)
    if fee is None or fee.state != FeeState.REFUNDING or not fee.refund_key or not fee.payment_intent_id:
        return False
    try:
        result = await gateway.refund(fee.payment_intent_id, fee.refund_amount, fee.refund_key)
    except StripeInvalidRequest as error:  # already refunded in full: Stripe's state wins
        log.warning("fee %s refund refused: %s", fee.id, error.message)
        result = None
    fee.stripe_refund_id = result.id if result else fee.stripe_refund_id
    fee.state = FeeState.REFUNDED.value
    fee.clear_failures()
    await db.commit()
    return True


async def refunds_to_send(db: AsyncSession) -> list[int]:
    stmt = select(HeldFee.id).where(HeldFee.state == FeeState.REFUNDING, HeldFee.due(clock.now()))
    return list((await db.scalars(stmt.order_by(HeldFee.id).limit(200))).all())
