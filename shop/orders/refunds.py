"""Refunds, written once: reserve the amount, store the key, ask Stripe, then tell the listeners.

1. `request_refund` locks the order, reserves the amount on the merchant's own lines (what is left
   of them: refunds made in Stripe's dashboard count too), fixes how it falls on the lines, and
   stores the refund with its idempotency key: committed before Stripe hears of it.
2. `send_refund` claims the row (`pending → sending`, one sender at a time, committed), calls
   Stripe with the stored key, and records the answer:
   - accepted: `succeeded`, with Stripe's id and status; `refunded` is announced, once;
   - refused (a permanent answer): the amount is given back on the locked order through
     `states.refund_refused`, the row is `failed` with Stripe's reason, and the caller gets a 409
     `refund_refused` with that reason;
   - undecided (Stripe down, the key busy, an answer we cannot read): back to `pending`; the job
     sends it again with the same key (Stripe may have done it already: the key makes that safe),
     and the merchant is told it is queued (202), not to try again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import StripeFailure
from payments.gateway import StripeGateway
from payments.models import PaymentAttempt, Refund, RefundStatus
from shop.accounts.models import Merchant
from shop.core import clock, stored_words
from shop.core.errors import AppError, Conflict, NotFound
from shop.core.i18n import N_
from shop.inventory.locks import lock_order
from shop.orders import fulfilment, states
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import OrderLine, OrderStatus

log = logging.getLogger("zhongcao.orders")
STALE_CLAIM = timedelta(minutes=2)  # a sender that crashed mid-call: its claim is retaken after this
# An order's reason when Stripe refuses a refund, said again in the reader's language (its `why` is
# Stripe's own words, shown as they came).
REFUND_REFUSED = stored_words.stored(N_("A refund of %(amount)s was refused: %(why)s"))
FRESH = timedelta(seconds=30)  # a new refund is the request's to send; the job waits this long


class RefundRefused(Conflict):
    code = "refund_refused"
    default_message = N_("The payment provider refused this refund.")


async def refund_order(
    db: AsyncSession,
    gateway: StripeGateway,
    events: OrderEvents,
    merchant: Merchant,
    order_id: int,
    amount: int | None,
    reason: str,
) -> Refund:
    """The whole sequence, for the API and the merchant's page. A refund Stripe could not be asked
    about now comes back `pending` (the job sends it); a refused one raises `RefundRefused`."""
    refund = await request_refund(db, order_id, merchant, amount, reason)
    await db.commit()  # the amount is reserved and the key stored before Stripe is called
    try:
        await send_refund(db, gateway, events, refund.id)
    except StripeFailure as undecided:
        log.warning("refund %s queued: %s", refund.id, undecided.message)
    await db.refresh(refund)
    return refund


async def request_refund(
    db: AsyncSession, order_id: int, merchant: Merchant, amount: int | None, reason: str
) -> Refund:
    order = await lock_order(db, order_id)
    stmt = select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.merchant_id == merchant.id)
    lines = list((await db.scalars(stmt.execution_options(populate_existing=True))).all())
    if order is None or not lines:
        raise NotFound("No such order.")  # not this merchant's order
    if order.status not in states.PAID_STATES - {OrderStatus.REFUNDED}:
        raise Conflict("This order cannot be refunded.", fields={"status": order.status})
    left = sum(line.total_amount - line.refunded_amount for line in lines)
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise Conflict(
            "That is more than is left to refund on your lines.",
            fields={"amount": N_("At most %(n)s.", n=max(left, 0))},
        )
    split = _fill(lines, amount)
    for line in lines:
        line.refunded_amount += split.get(line.id, 0)
    order.refunded_amount += amount
    states.move(order, states.status_after_refund(order), reason)
    refund = Refund(
        order_id=order.id,
        merchant_id=merchant.id,
        amount=amount,
        currency=order.currency,
        reason=reason,
        idempotency_key=f"refund-{order.id}-{uuid.uuid4().hex[:16]}",
        lines={str(line_id): take for line_id, take in split.items()},
    )
    db.add(refund)
    await db.flush()
    return refund


def _fill(lines: list[OrderLine], amount: int) -> dict[int, int]:
    """How `amount` falls on the lines: id order, each filled to what is left of it first."""
    split: dict[int, int] = {}
    for line in sorted(lines, key=lambda ln: ln.id):
        take = min(amount, line.total_amount - line.refunded_amount)
        if take > 0:
            split[line.id] = take
            amount -= take
    return split


async def _claim(db: AsyncSession, refund_id: int) -> bool:
    now = clock.now()
    claimable = or_(
        Refund.status == RefundStatus.PENDING,
        and_(Refund.status == RefundStatus.SENDING, Refund.updated_at < now - STALE_CLAIM),
    )
    result = await db.execute(
        update(Refund)
        .where(Refund.id == refund_id, Refund.stripe_refund_id.is_(None), claimable)
        .values(status=RefundStatus.SENDING.value, updated_at=now)
    )
    await db.commit()  # the claim is durable before the call: no second sender meanwhile
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def send_refund(db: AsyncSession, gateway: StripeGateway, events: OrderEvents, refund_id: int) -> bool:
    """Send one stored refund; True when Stripe accepted it now. Commits what it learns."""
    if not await _claim(db, refund_id):
        return False  # sent already, or another sender has it
    refund = await db.get(Refund, refund_id, populate_existing=True)
    assert refund is not None
    intent_id = await db.scalar(
        select(PaymentAttempt.payment_intent_id).where(
            PaymentAttempt.order_id == refund.order_id, PaymentAttempt.status == "succeeded"
        )
    )
    try:
        if intent_id is None:
            raise Conflict("No captured payment to refund.")
        result = await gateway.refund(intent_id, refund.amount, refund.idempotency_key)
    except StripeFailure as error:
        if error.permanent:
            await _refused(db, refund, error.message)
            raise RefundRefused(error.message) from None
        refund.status = RefundStatus.PENDING.value  # undecided: the job asks again, same key
        await db.commit()
        raise
    except AppError as error:  # nothing to refund against: decided here, not at Stripe
        await _refused(db, refund, error.message)
        raise RefundRefused(error.message) from None
    refund.stripe_refund_id, refund.stripe_status = result.id, result.status
    refund.status = RefundStatus.SUCCEEDED.value
    await _announce(db, events, refund)
    await db.commit()
    return True


async def _refused(db: AsyncSession, refund: Refund, why: str) -> None:
    """Give the amount back, on the locked order, exactly as it was spread over the lines."""
    refund.status = RefundStatus.FAILED.value
    refund.failure_reason = why[:300]
    order = await lock_order(db, refund.order_id)
    if order is not None:
        lines = {line.id: line for line in order.lines}
        for line_id, amount in refund.lines.items():
            if (line := lines.get(int(line_id))) is not None:
                line.refunded_amount -= amount
        order.refunded_amount -= refund.amount
        done = fulfilment.all_done(order)
        reason = stored_words.fill(REFUND_REFUSED, amount=refund.amount, why=why)
        states.refund_refused(order, reason, all_lines_done=done)
        if not done:  # a line it had refunded in full has still to ship: the order is not complete
            order.fulfilled_at = None
    await db.commit()
    log.warning("refund %s refused: %s", refund.id, why)


async def _announce(db: AsyncSession, events: OrderEvents, refund: Refund) -> None:
    order = await lock_order(db, refund.order_id)  # one announcement at a time per order
    assert order is not None
    fulfilment.complete_if_done(order)
    lines = {int(line_id): amount for line_id, amount in refund.lines.items()}
    news = OrderNews(OrderEvent.REFUNDED, order, amount=refund.amount, lines=lines, refund_id=refund.id)
    await events.announce(db, news)


async def unsent_refunds(db: AsyncSession) -> list[Refund]:
    """Refunds Stripe has not accepted yet: pending ones past their request, and stale claims."""
    now = clock.now()
    # A merchant's new refund is sent by the request that made it; automatic ones only by the job.
    settled_by_request = and_(Refund.merchant_id.is_not(None), Refund.created_at >= now - FRESH)
    waiting = or_(
        and_(Refund.status == RefundStatus.PENDING, ~settled_by_request),
        and_(Refund.status == RefundStatus.SENDING, Refund.updated_at < now - STALE_CLAIM),
    )
    stmt = select(Refund).where(Refund.stripe_refund_id.is_(None), waiting).order_by(Refund.id)
    return list((await db.scalars(stmt)).all())
