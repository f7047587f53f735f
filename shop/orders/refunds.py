"""Refunds, written once: reserve the amount, store the key, ask Stripe, then tell the listeners.

1. `request_refund` reserves the amount on the locked order row (the cap holds under concurrency),
   spreads it over the merchant's lines and stores the refund with its idempotency key: committed
   before Stripe hears of it.
2. `send_refund` calls Stripe with the stored key.
   - accepted: the refund row takes Stripe's id and status, and `refunded` is announced;
   - refused (a permanent answer: Stripe said no): the amount is given back through
     `states.refund_refused`, the row is `failed` with Stripe's reason, and the merchant gets a
     409 `refund_refused` with that reason;
   - anything else (Stripe down, rate-limited, an answer we cannot read): nothing is decided; the
     row stays `pending` and the job retries it with the same key (Stripe may have done it
     already: the key makes that safe).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import StripeFailure
from payments.gateway import StripeGateway
from payments.models import PaymentAttempt, Refund
from shop.accounts.models import Merchant
from shop.core.errors import AppError, Conflict, NotFound
from shop.orders import states
from shop.orders.events import OrderEvent, OrderEvents, OrderNews
from shop.orders.models import Order, OrderLine, OrderStatus

log = logging.getLogger("zhongcao.orders")


class RefundRefused(Conflict):
    code = "refund_refused"
    default_message = "The payment provider refused this refund."


async def refund_order(
    db: AsyncSession,
    gateway: StripeGateway,
    events: OrderEvents,
    merchant: Merchant,
    order_id: int,
    amount: int | None,
    reason: str,
) -> Refund:
    """The whole sequence, for the API, the merchant's page and anything else that refunds."""
    refund = await request_refund(db, order_id, merchant, amount, reason)
    await db.commit()  # the amount is reserved and the key stored before Stripe is called
    try:
        await send_refund(db, gateway, events, refund)
    finally:
        await db.commit()  # keep what was learnt either way: sent, or refused and given back
    return refund


async def request_refund(
    db: AsyncSession, order_id: int, merchant: Merchant, amount: int | None, reason: str
) -> Refund:
    merchant_total = await _merchant_total(db, order_id, merchant)
    if not merchant_total:
        raise NotFound("No such order.")  # not this merchant's order
    await db.execute(update(Order).where(Order.id == order_id).values(refunded_amount=Order.refunded_amount))
    left = merchant_total - await _already_refunded(db, order_id, merchant)
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise Conflict(
            "That is more than is left to refund on your lines.",
            fields={"amount": f"At most {max(left, 0)}."},
        )
    refundable = [s.value for s in states.PAID_STATES - {OrderStatus.REFUNDED}]
    capped = await db.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.refunded_amount + amount <= Order.total_amount,
            Order.status.in_(refundable),
        )
        .values(refunded_amount=Order.refunded_amount + amount)
    )
    if not capped.rowcount:  # type: ignore[attr-defined]
        raise Conflict(
            "This order cannot be refunded by that amount.", fields={"amount": "Over the paid amount."}
        )
    order = await db.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    assert order is not None
    states.move(order, states.status_after_refund(order), reason)
    _allocate_to_lines([ln for ln in order.lines if ln.merchant_id == merchant.id], amount)
    refund = Refund(
        order_id=order.id,
        merchant_id=merchant.id,
        amount=amount,
        currency=order.currency,
        reason=reason,
        idempotency_key=f"refund-{order.id}-{uuid.uuid4().hex[:16]}",
    )
    db.add(refund)
    await db.flush()
    return refund


async def _merchant_total(db: AsyncSession, order_id: int, merchant: Merchant) -> int:
    line_total = OrderLine.unit_amount * OrderLine.quantity
    stmt = select(func.coalesce(func.sum(line_total), 0)).where(
        OrderLine.order_id == order_id, OrderLine.merchant_id == merchant.id
    )
    return int(await db.scalar(stmt) or 0)


async def _already_refunded(db: AsyncSession, order_id: int, merchant: Merchant) -> int:
    stmt = select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.order_id == order_id, Refund.merchant_id == merchant.id, Refund.status != "failed"
    )
    return int(await db.scalar(stmt) or 0)


async def send_refund(
    db: AsyncSession, gateway: StripeGateway, events: OrderEvents, refund: Refund
) -> Refund:
    """Send a stored refund with its stored key (the caller commits afterwards)."""
    attempt = await db.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == refund.order_id, PaymentAttempt.status == "succeeded"
        )
    )
    try:
        if attempt is None or attempt.payment_intent_id is None:
            raise Conflict("No captured payment to refund.")
        result = await gateway.refund(attempt.payment_intent_id, refund.amount, refund.idempotency_key)
    except StripeFailure as error:
        if not error.permanent:
            raise  # undecided (down, rate-limited, an odd answer): pending, retried with the same key
        await _refused(db, refund, error.message)
        raise RefundRefused(error.message) from None
    except AppError as error:  # nothing to refund against: decided here, not at Stripe
        await _refused(db, refund, error.message)
        raise RefundRefused(error.message) from None
    refund.stripe_refund_id, refund.status = result.id, result.status
    await db.flush()
    await _announce(db, events, refund)
    return refund


async def _refused(db: AsyncSession, refund: Refund, why: str) -> None:
    refund.status = "failed"
    refund.failure_reason = why[:300]
    order = await db.get(Order, refund.order_id)
    if order is not None and refund.merchant_id is not None:
        order.refunded_amount -= refund.amount
        _unallocate([ln for ln in order.lines if ln.merchant_id == refund.merchant_id], refund.amount)
        states.refund_refused(order, f"A refund of {refund.amount} was refused: {why}")
    await db.flush()
    log.warning("refund %s refused: %s", refund.id, why)


async def _announce(db: AsyncSession, events: OrderEvents, refund: Refund) -> None:
    order = await db.get(Order, refund.order_id)
    assert order is not None
    lines = _split_by_line([ln for ln in order.lines if ln.merchant_id == refund.merchant_id], refund.amount)
    news = OrderNews(OrderEvent.REFUNDED, order, amount=refund.amount, lines=lines, refund_id=refund.id)
    await events.announce(db, news)


async def unsent_refunds(db: AsyncSession) -> list[Refund]:
    return list(
        (await db.scalars(select(Refund).where(Refund.status == "pending").order_by(Refund.id))).all()
    )


def _allocate_to_lines(lines: list[OrderLine], amount: int) -> None:
    """Spread a refund over the merchant's lines in id order, filling each before the next."""
    for line_id, take in _split_by_line(lines, amount, from_refunded=False).items():
        next(ln for ln in lines if ln.id == line_id).refunded_amount += take


def _split_by_line(lines: list[OrderLine], amount: int, *, from_refunded: bool = True) -> dict[int, int]:
    """How `amount` falls on the lines, id order, each filled before the next. Once the lines carry
    the refund (`from_refunded`), the split is read back from the newest refunded amounts."""
    split: dict[int, int] = {}
    ordered = sorted(lines, key=lambda ln: ln.id, reverse=from_refunded)
    for line in ordered:
        room = line.refunded_amount if from_refunded else line.total_amount - line.refunded_amount
        take = min(amount, room)
        if take:
            split[line.id] = take
        amount -= take
        if amount == 0:
            break
    return split


def _unallocate(lines: list[OrderLine], amount: int) -> None:
    for line_id, give in _split_by_line(lines, amount).items():
        next(ln for ln in lines if ln.id == line_id).refunded_amount -= give
