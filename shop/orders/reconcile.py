"""Reconciliation: repair orders whose Stripe webhook was lost, driven by our own database.

Every payment attempt whose PaymentIntent has not reached a final state in our books (succeeded or
canceled) is asked for by id and applied, in keyset pages of `BATCH` attempts, each in its own
transaction: any number of open orders reconcile, never only the first page of Stripe's list. An
intent found final is written on its attempt, so the next run does not ask again. A failure is
logged and written on the attempt (backoff), and the run goes on with the next one.

An attempt whose intent id was never stored (a crash right after Stripe created it) cannot be asked
for; its client never got the secret to pay it, and the hold's expiry cancels the order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from payments.models import PaymentAttempt
from shop.core import clock
from shop.core.retry import RetryPolicy, describe
from shop.orders import settlement
from shop.orders.events import OrderEvents
from shop.orders.models import OrderStatus

log = logging.getLogger("zhongcao.jobs")
SessionFactory = Callable[[], AsyncSession]
BATCH = 100
FINAL = ("succeeded", "canceled")


def open_attempts(after: int, batch: int) -> Select[int, str | None]:
    """Attempts with an intent that is not final in our books, past any backoff, after id `after`."""
    return (
        select(PaymentAttempt.id, PaymentAttempt.payment_intent_id)
        .where(
            PaymentAttempt.id > after,
            PaymentAttempt.payment_intent_id.is_not(None),
            PaymentAttempt.status.not_in(FINAL),
            PaymentAttempt.due(clock.now()),
        )
        .order_by(PaymentAttempt.id)
        .limit(batch)
    )


async def reconcile_intents(
    sessions: SessionFactory,
    gateway: StripeGateway,
    events: OrderEvents,
    policy: RetryPolicy,
    *,
    batch: int = BATCH,
) -> int:
    """Ask Stripe for every open attempt's intent and apply it; returns how many orders became paid."""
    repaired, after = 0, 0
    while True:
        async with sessions() as db:
            page = (await db.execute(open_attempts(after, batch))).all()
        for attempt_id, intent_id in page:
            repaired += await _reconcile_one(sessions, gateway, events, policy, attempt_id, str(intent_id))
        if len(page) < batch:
            return repaired
        after = int(page[-1][0])


async def _reconcile_one(
    sessions: SessionFactory,
    gateway: StripeGateway,
    events: OrderEvents,
    policy: RetryPolicy,
    attempt_id: int,
    intent_id: str,
) -> int:
    try:
        intent = await gateway.retrieve_intent(intent_id)
        async with sessions() as db, db.begin():
            order = await settlement.apply_intent(db, events, intent)
            paid = intent.status == "succeeded" and order is not None and order.status == OrderStatus.PAID
            return int(paid)
    except Exception as error:  # one intent must not stop the others
        log.warning("reconcile %s failed: %s", intent_id, describe(error))
        async with sessions() as db, db.begin():
            attempt = await db.get(PaymentAttempt, attempt_id)
            if attempt is not None:
                attempt.record_failure(describe(error), policy, clock.now())
        return 0
