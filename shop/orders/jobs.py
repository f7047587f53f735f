"""Periodic work: expire unpaid holds, retry stored webhook events, send stored refunds, reconcile.

Each item (an order, an event, a refund, an intent) uses its own short transaction. Safe to run in
several processes at once: every state change is a conditional update or goes through the
forward-only `apply_intent`. An item that fails is logged and written on a row (failures,
last_error, next_attempt_at: see shop.core.retry) and the job goes on with the next one; a job that
fails as a whole is logged and run again at the next pass. `run_forever` never returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import webhooks
from payments.errors import StripeFailure, StripeNotFound
from payments.gateway import StripeGateway
from payments.models import EventStatus, PaymentAttempt, Refund
from payments.webhooks import WebhookHandlers
from shop.core import clock
from shop.core.i18n import N_
from shop.core.retry import RetryPolicy, describe
from shop.orders import refunds, services, settlement
from shop.orders.events import OrderEvents
from shop.orders.models import Order, OrderStatus
from shop.orders.reconcile import reconcile_intents

log = logging.getLogger("zhongcao.jobs")
SessionFactory = Callable[[], AsyncSession]
DEFAULT = RetryPolicy()


async def expire_holds(
    sessions: SessionFactory, gateway: StripeGateway, events: OrderEvents, policy: RetryPolicy = DEFAULT
) -> int:
    """Cancel unpaid orders whose hold ran out; a payment that did succeed is applied instead.

    Each order is its own transaction; one that fails is logged, written on its payment attempt
    (backoff) and left for a later pass, and the next order goes on.
    """
    async with sessions() as db:
        due = (
            await db.scalars(
                select(Order.id).where(
                    Order.status == OrderStatus.PENDING_PAYMENT, Order.hold_expires_at <= services.now()
                )
            )
        ).all()
    expired = 0
    for order_id in due:
        try:
            expired += int(await _expire_one(sessions, gateway, events, policy, order_id))
        except Exception as error:  # one order must not stop the others
            log.warning("expire hold of order %s failed: %s", order_id, describe(error))
            await _record_on_attempt(sessions, order_id, describe(error), policy)
    return expired


async def _expire_one(
    sessions: SessionFactory, gateway: StripeGateway, events: OrderEvents, policy: RetryPolicy, order_id: int
) -> bool:
    async with sessions() as db, db.begin():
        order = await db.get(Order, order_id)
        if order is None or order.status != OrderStatus.PENDING_PAYMENT:
            return False
        attempt = await settlement.current_attempt(db, order)
        if attempt is not None and attempt.next_attempt_at and attempt.next_attempt_at > clock.now():
            return False  # Stripe failed us for this order lately: wait out the backoff
        if attempt is not None and attempt.payment_intent_id:
            released = await _settle_or_stop(db, gateway, events, policy, attempt)
            if not released:
                return False
        await services.cancel_order(db, order, N_("The 10-minute hold expired before payment."))
        return True


async def _settle_or_stop(
    db: AsyncSession,
    gateway: StripeGateway,
    events: OrderEvents,
    policy: RetryPolicy,
    attempt: PaymentAttempt,
) -> bool:
    """True when the hold may be released: the intent is stopped, or Stripe cannot settle it anymore."""
    assert attempt.payment_intent_id is not None
    try:
        intent = await gateway.retrieve_intent(attempt.payment_intent_id)
        if intent.status == "succeeded":
            await settlement.apply_intent(db, events, intent)
            return False
        # Stop a 3DS or async payment from succeeding after we give the stock back.
        await gateway.cancel_intent(attempt.payment_intent_id)
        return True
    except StripeNotFound:
        return True  # Stripe never had it or forgot it (a restarted local server): it cannot be paid
    except StripeFailure as error:
        if attempt.record_failure(describe(error), policy, clock.now()):
            # Out of patience: release the stock. A payment that still succeeds later is kept if the
            # stock is there, or refunded in full (settlement's late-payment rule).
            log.error(
                "order %s: Stripe unreachable %s times, hold released", attempt.order_id, attempt.failures
            )
            return True
        log.warning("order %s: hold kept, Stripe failed: %s", attempt.order_id, describe(error))
        return False


async def _record_on_attempt(
    sessions: SessionFactory, order_id: int, error: str, policy: RetryPolicy
) -> None:
    async with sessions() as db, db.begin():
        order = await db.get(Order, order_id)
        attempt = await settlement.current_attempt(db, order) if order is not None else None
        if attempt is not None:
            attempt.record_failure(error, policy, clock.now())


async def retry_events(
    sessions: SessionFactory, gateway: StripeGateway, handlers: WebhookHandlers, policy: RetryPolicy = DEFAULT
) -> int:
    """Try stored events again once their backoff is over; each try is committed on its own."""
    async with sessions() as db:
        pending = [event.id for event in await webhooks.unapplied(db)]
    applied = 0
    for event_id in pending:
        async with sessions() as db:
            status = await webhooks.attempt(db, gateway, handlers, event_id, policy)
            applied += int(status == EventStatus.PROCESSED)
    return applied


async def send_refunds(
    sessions: SessionFactory, gateway: StripeGateway, events: OrderEvents, policy: RetryPolicy = DEFAULT
) -> int:
    """Send stored refunds. Stripe unreachable: the refund stays pending with its key and backs off;
    it is never given up on (money is owed), but after N tries the log says an operator should look."""
    async with sessions() as db:
        refund_ids = [refund.id for refund in await refunds.unsent_refunds(db)]
    sent = 0
    for refund_id in refund_ids:
        try:
            sent += int(await _send_one(sessions, gateway, events, refund_id))
        except Exception as error:  # one refund must not stop the others
            text = describe(error)
            async with sessions() as db, db.begin():
                refund = await db.get(Refund, refund_id)
                if refund is not None and refund.record_failure(text, policy, clock.now()):
                    log.error(
                        "refund %s: %s failed tries, needs an operator: %s", refund_id, refund.failures, text
                    )
                else:
                    log.warning("refund %s not sent: %s", refund_id, text)
    return sent


async def _send_one(
    sessions: SessionFactory, gateway: StripeGateway, events: OrderEvents, refund_id: int
) -> bool:
    """One stored refund; `send_refund` claims it and commits what it learns (an undecided answer
    raises, and is written on the refund by the caller)."""
    async with sessions() as db:
        refund = await db.get(Refund, refund_id)
        if refund is None or refund.stripe_refund_id is not None:
            return False
        if refund.next_attempt_at is not None and refund.next_attempt_at > clock.now():
            return False
        try:
            sent = await refunds.send_refund(db, gateway, events, refund_id)
        except refunds.RefundRefused:
            return False  # Stripe said no: the refund is failed and the amount given back
        if sent:
            refund = await db.get(Refund, refund_id, populate_existing=True)
            if refund is not None:
                refund.clear_failures()
                await db.commit()
        return sent


async def reconcile(
    sessions: SessionFactory, gateway: StripeGateway, events: OrderEvents, policy: RetryPolicy = DEFAULT
) -> int:
    """Repair orders whose webhook was lost (every open intent in our DB, asked for by id: see
    reconcile.py), then send stored refunds. Returns how many orders became paid."""
    repaired = await reconcile_intents(sessions, gateway, events, policy)
    await send_refunds(sessions, gateway, events, policy)
    return repaired


async def run_pass(
    sessions: SessionFactory,
    gateway: StripeGateway,
    events: OrderEvents,
    handlers: WebhookHandlers,
    policy: RetryPolicy = DEFAULT,
    *,
    with_reconcile: bool = False,
) -> None:
    """One pass of every job. A job that fails as a whole (the DB is down) is logged; the next runs."""
    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("expire holds", lambda: expire_holds(sessions, gateway, events, policy)),
        ("retry events", lambda: retry_events(sessions, gateway, handlers, policy)),
        ("send refunds", lambda: send_refunds(sessions, gateway, events, policy)),
    ]
    if with_reconcile:
        steps.append(("reconcile", lambda: reconcile(sessions, gateway, events, policy)))
    for name, step in steps:
        try:
            await step()
        except Exception as error:
            log.error("payment jobs: %s failed, next pass will try again: %s", name, describe(error))


async def run_forever(
    sessions: SessionFactory,
    gateway: StripeGateway,
    events: OrderEvents,
    handlers: WebhookHandlers,
    sweep_s: float,
    reconcile_s: float,
    policy: RetryPolicy = DEFAULT,
) -> None:
    """Never returns, whatever a pass meets; only cancelling the task stops it."""
    ticks = 0
    while True:
        await asyncio.sleep(sweep_s)
        ticks += 1
        due = ticks * sweep_s % reconcile_s < sweep_s
        await run_pass(sessions, gateway, events, handlers, policy, with_reconcile=due)


async def run_once(settings: Any) -> str:
    """`python -m shop reconcile`: one pass of every job, for cron or an operator."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from shop.app import build_gateway
    from shop.core.db import build_engine
    from shop.deals import jobs as deal_jobs
    from shop.notifications.services import Notifier
    from shop.wiring import offline_order_events, register_live, webhook_handlers

    register_live()
    engine = build_engine(settings)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    gateway = build_gateway(settings)
    events = offline_order_events(settings)
    notifier = Notifier(lambda _data, _channels: None)  # inbox rows are written; nobody hears a push
    handlers = webhook_handlers(events, notifier)
    try:
        repaired = await reconcile(sessions, gateway, events)
        expired = await expire_holds(sessions, gateway, events)
        applied = await retry_events(sessions, gateway, handlers)
        deals = await deal_jobs.run_pass(sessions, gateway, notifier)
    finally:
        await engine.dispose()
    summary = ", ".join(f"{count} {what}" for what, count in deals.items())
    return (
        f"reconciled: {repaired} orders repaired, {expired} holds expired, {applied} stored events applied; "
        f"deals: {summary}"
    )


async def event_report(settings: Any, *, failed_only: bool) -> list[str]:
    """`python -m shop events [--failed]`: one line per event (id, type, attempts, last error)."""
    from shop.core.db import build_engine

    engine = build_engine(settings)
    try:
        async with AsyncSession(engine) as db:
            rows = await (webhooks.failed(db) if failed_only else webhooks.recent(db))
    finally:
        await engine.dispose()
    return [
        f"{e.event_id}\t{e.type}\t{e.status}\tattempts={e.apply_attempts}\t{e.last_error or ''}" for e in rows
    ]
