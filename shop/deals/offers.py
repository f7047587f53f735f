"""Targeted offers: a merchant asks one creator, pays any flat fee first, and the creator answers.

The only writer of `Offer.status` (machine in `shop.deals.models`). Each answer locks the offer's
row, so accepting twice at once makes one deal, and an offer that expired or was withdrawn a moment
ago cannot be accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import Intent, StripeGateway
from shop.accounts.models import Merchant, Role, User
from shop.catalog.models import Product
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.core.labels import status_text
from shop.deals import fees, news
from shop.deals.models import (
    OPEN_OFFER_STATES,
    Deal,
    DealRound,
    Deliverable,
    Offer,
    OfferProduct,
    OfferStatus,
)
from shop.deals.schemas import OfferIn, OfferPayIn
from shop.notifications.services import Notifier


@dataclass(frozen=True, slots=True)
class DealPeriods:
    """Copied onto a deal when it begins (from `DEAL_REVIEW_DAYS` and `PROTECTION_DAYS`)."""

    review_days: int
    protection_days: int


MIN_FEE = 100  # one dollar (or the currency's equivalent): below what card fees would swallow
MAX_FEE = 10_000_000
MAX_LEAD = timedelta(days=365)


async def send_offer(
    db: AsyncSession, notifier: Notifier, merchant: Merchant, data: OfferIn, expiry_days: int
) -> Offer:
    """Validate the whole offer before anything is written; a fee leaves it awaiting payment."""
    await _check_creator(db, data.creator_id)
    await _check_products(db, merchant, data.product_ids)
    _check_terms(merchant, data)
    now = clock.now()
    offer = Offer(
        merchant_id=merchant.id,
        creator_id=data.creator_id,
        deliverable=data.deliverable.value,
        brief=data.brief,
        due_at=data.due_at,
        fee_amount=data.flat_fee.amount if data.flat_fee else None,
        currency=merchant.currency,
        commission_bps=data.commission_bps,
        samples=data.samples,
        status=(OfferStatus.AWAITING_PAYMENT if data.flat_fee else OfferStatus.SENT).value,
        expires_at=min(now + timedelta(days=expiry_days), data.due_at),
        items=[OfferProduct(product_id=pid) for pid in sorted(set(data.product_ids))],
    )
    if terms := data.live_flash_sale:
        offer.flash_max_quantity = terms.max_quantity
        offer.flash_min_price = terms.min_price.amount
        offer.flash_per_customer_limit = terms.per_customer_limit
    db.add(offer)
    await db.flush()
    if data.flat_fee:
        db.add(fees.new_fee(offer, data.flat_fee.amount, merchant.currency))
    else:
        await _announce_sent(db, notifier, offer)
    await db.flush()
    return await get_offer(db, offer.id)


async def _check_creator(db: AsyncSession, creator_id: int) -> None:
    creator = await db.get(User, creator_id)
    if creator is None or creator.role != Role.CREATOR:
        raise InvalidInput("Offers go to creators.", fields={"creator_id": "Not a creator."})


async def _check_products(db: AsyncSession, merchant: Merchant, product_ids: list[int]) -> None:
    ids = set(product_ids)
    stmt = select(Product.id).where(
        Product.id.in_(ids), Product.merchant_id == merchant.id, Product.is_active.is_(True)
    )
    refused = sorted(ids - set((await db.scalars(stmt)).all()))
    if refused:
        named = ", ".join(str(i) for i in refused)
        raise InvalidInput(
            N_("Offers can only carry your own shop's products: %(ids)s.", ids=named),
            fields={"product_ids": N_("Not your shop's active products: %(ids)s.", ids=named)},
        )


def _check_terms(merchant: Merchant, data: OfferIn) -> None:
    now = clock.now()
    fields: dict[str, str] = {}
    if not now + timedelta(hours=1) <= data.due_at <= now + MAX_LEAD:
        fields["due_at"] = N_("Between an hour and a year from now.")
    if fee := data.flat_fee:
        if fee.currency != merchant.currency:
            fields["flat_fee"] = N_("In your shop's currency, %(currency)s.", currency=merchant.currency)
        elif not MIN_FEE <= fee.amount <= MAX_FEE:
            fields["flat_fee"] = N_("Between %(low)s and %(high)s minor units.", low=MIN_FEE, high=MAX_FEE)
    if not (data.flat_fee or data.commission_bps or data.samples):
        fields["flat_fee"] = N_("Offer a fee, a commission or free samples.")
    if terms := data.live_flash_sale:
        if data.deliverable != Deliverable.STREAM:
            fields["live_flash_sale"] = N_("Flash-sale terms are for a live stream.")
        elif terms.min_price.amount < 1 or terms.min_price.currency != merchant.currency:
            fields["live_flash_sale"] = N_(
                "A minimum price above zero, in %(currency)s.", currency=merchant.currency
            )
    if fields:
        raise InvalidInput("Some terms of the offer are not valid.", fields=fields)


async def _announce_sent(db: AsyncSession, notifier: Notifier, offer: Offer) -> None:
    await db.refresh(offer, ["merchant", "creator"])
    await news.tell_creator(
        db, notifier, offer, N_("sent you an offer"), actor=offer.merchant.owner, url=news.offer_url(offer)
    )


async def get_offer(db: AsyncSession, offer_id: int, *, lock: bool = False) -> Offer:
    stmt = select(Offer).where(Offer.id == offer_id).execution_options(populate_existing=True)
    offer = await db.scalar(stmt.with_for_update(of=Offer) if lock else stmt)
    if offer is None:
        raise NotFound("No such offer.")
    return offer


async def visible_offer(db: AsyncSession, user: User, offer_id: int, *, lock: bool = False) -> Offer:
    """An offer its merchant or its creator may see; to everyone else it does not exist. The
    creator never sees an offer whose fee is not paid yet: it has not reached them."""
    offer = await get_offer(db, offer_id, lock=lock)
    is_merchant = user.merchant is not None and user.merchant.id == offer.merchant_id
    is_creator = user.id == offer.creator_id and offer.status != OfferStatus.AWAITING_PAYMENT
    if not (is_merchant or is_creator):
        raise NotFound("No such offer.")
    return offer


async def own_offer(db: AsyncSession, merchant: Merchant, offer_id: int, *, lock: bool = False) -> Offer:
    offer = await get_offer(db, offer_id, lock=lock)
    if offer.merchant_id != merchant.id:
        raise NotFound("No such offer.")
    return offer


async def offer_to(db: AsyncSession, creator: User, offer_id: int) -> Offer:
    offer = await get_offer(db, offer_id, lock=True)
    if offer.creator_id != creator.id or offer.status == OfferStatus.AWAITING_PAYMENT:
        raise NotFound("No such offer.")
    return offer


async def setup_intent(
    db: AsyncSession, gateway: StripeGateway, merchant: Merchant, offer_id: int
) -> tuple[str, str]:
    offer = await own_offer(db, merchant, offer_id)
    if offer.status != OfferStatus.AWAITING_PAYMENT or offer.fee is None:
        raise Conflict("This offer has nothing left to pay.", fields={"status": offer.status})
    return await gateway.create_setup_intent(f"offer-{offer.id}-si-{offer.fee.attempt}")


async def pay_fee(
    db: AsyncSession,
    gateway: StripeGateway,
    notifier: Notifier,
    merchant: Merchant,
    offer_id: int,
    data: OfferPayIn,
) -> tuple[Offer, Intent | None]:
    """Charge the fee. Once it is held the offer is sent; a 3DS card leaves it awaiting payment
    with the intent's client secret, and the next read (or Stripe's webhook) moves it on."""
    offer = await own_offer(db, merchant, offer_id, lock=True)
    if offer.status != OfferStatus.AWAITING_PAYMENT:
        return offer, None
    intent = await fees.charge(db, gateway, offer, data)
    if intent is not None:
        await fee_paid(db, notifier, offer, intent)
    await db.commit()
    await fees.send_stored_refund(db, gateway, offer.fee)
    return await get_offer(db, offer.id), intent


async def fee_paid(db: AsyncSession, notifier: Notifier, offer: Offer, intent: Intent) -> None:
    """Apply a fresh PaymentIntent to the offer's fee: held → the offer reaches the creator. A fee
    that succeeds after the offer was withdrawn or expired is refunded at once."""
    if offer.fee is None or not fees.mark_held(offer.fee, intent):
        return
    if offer.status == OfferStatus.AWAITING_PAYMENT:
        offer.status = OfferStatus.SENT.value
        await _announce_sent(db, notifier, offer)
    elif offer.status != OfferStatus.ACCEPTED:
        fees.refund(offer.fee)


async def refresh(db: AsyncSession, gateway: StripeGateway, notifier: Notifier, offer: Offer) -> Offer:
    """An offer awaiting payment is checked against Stripe (after 3DS), never a URL parameter."""
    if offer.status != OfferStatus.AWAITING_PAYMENT or offer.fee is None:
        return offer
    intent = await fees.refresh(db, gateway, offer.fee)
    if intent is not None:
        locked = await get_offer(db, offer.id, lock=True)
        await fee_paid(db, notifier, locked, intent)
        await db.commit()
    return await get_offer(db, offer.id)


async def accept(
    db: AsyncSession, notifier: Notifier, creator: User, offer_id: int, periods: DealPeriods
) -> tuple[Offer, Deal]:
    offer = await offer_to(db, creator, offer_id)
    if offer.status == OfferStatus.SENT and offer.expires_at <= clock.now():
        raise Conflict("This offer has expired.", fields={"status": OfferStatus.EXPIRED.value})
    if offer.status != OfferStatus.SENT:
        raise Conflict(
            N_("This offer is %(status)s.", status=status_text(offer.status)), fields={"status": offer.status}
        )
    # Compare-and-set: of two accepts at once, one moves the offer (SQLite has no row locks).
    moved = await db.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.status == OfferStatus.SENT)
        .values(status=OfferStatus.ACCEPTED.value, decided_at=clock.now())
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This offer was answered already.", fields={"status": OfferStatus.ACCEPTED.value})
    offer = await get_offer(db, offer.id)
    deal = Deal(
        offer_id=offer.id,
        merchant_id=offer.merchant_id,
        creator_id=creator.id,
        review_days=periods.review_days,
        protection_days=periods.protection_days,
    )
    db.add(deal)
    await db.flush()
    db.add(DealRound(deal_id=deal.id, kind="accepted", actor_id=creator.id))
    await db.flush()
    await db.refresh(deal, ["offer", "rounds"])
    await news.tell_merchant(
        db, notifier, offer, N_("accepted your offer"), actor=creator, url=news.deal_url(deal)
    )
    return offer, deal


async def decline(
    db: AsyncSession, gateway: StripeGateway, notifier: Notifier, creator: User, offer_id: int
) -> Offer:
    offer = await offer_to(db, creator, offer_id)
    return await _close(db, gateway, notifier, offer, OfferStatus.DECLINED, creator)


async def withdraw(
    db: AsyncSession, gateway: StripeGateway, notifier: Notifier, merchant: Merchant, offer_id: int
) -> Offer:
    offer = await own_offer(db, merchant, offer_id, lock=True)
    return await _close(db, gateway, notifier, offer, OfferStatus.WITHDRAWN, merchant.owner)


async def expire(db: AsyncSession, gateway: StripeGateway, notifier: Notifier, offer: Offer) -> Offer:
    return await _close(db, gateway, notifier, offer, OfferStatus.EXPIRED, None)


async def _close(
    db: AsyncSession,
    gateway: StripeGateway,
    notifier: Notifier,
    offer: Offer,
    status: OfferStatus,
    actor: User | None,
) -> Offer:
    """Declined, withdrawn or expired: the held fee goes back in full, stored before it is sent."""
    if offer.status not in OPEN_OFFER_STATES:
        raise Conflict(
            N_("This offer is %(status)s.", status=status_text(offer.status)), fields={"status": offer.status}
        )
    reached_creator = offer.status == OfferStatus.SENT
    offer.status, offer.decided_at = status.value, clock.now()
    fees.refund(offer.fee)
    what = {
        "declined": N_("declined your offer"),
        "withdrawn": N_("withdrew the offer"),
        "expired": N_("offer expired"),
    }
    url = news.offer_url(offer)
    if status != OfferStatus.WITHDRAWN:
        await news.tell_merchant(db, notifier, offer, what[status.value], actor=actor, url=url)
    if reached_creator and status != OfferStatus.DECLINED:
        await news.tell_creator(db, notifier, offer, what[status.value], actor=actor, url=url)
    await db.commit()
    await fees.send_stored_refund(db, gateway, offer.fee)
    return await get_offer(db, offer.id)


async def offer_fee_paid(db: AsyncSession, notifier: Notifier, intent: Intent) -> bool:
    """Stripe's webhook (or the reconciler) on an offer's fee intent; False: not visible yet."""
    fee = await fees.fee_for_intent(db, intent)
    if fee is None:
        return False
    offer = await get_offer(db, fee.offer_id, lock=True)
    await fee_paid(db, notifier, offer, intent)
    return True
