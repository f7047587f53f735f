"""Periodic work: expire unpaid holds, retry stored webhook events, send stored refunds, reconcile.

Each step uses its own short transaction. Safe to run in several processes at once: every state
change is a conditional update or goes through the forward-only `apply_intent`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import webhooks
from payments.gateway import StripeGateway
from shop.core.errors import AppError
from shop.orders import services, settlement
from shop.orders.models import Order, OrderStatus

log = logging.getLogger("zhongcao.jobs")
SessionFactory = Callable[[], AsyncSession]


async def expire_holds(sessions: SessionFactory, gateway: StripeGateway) -> int:
    """Cancel unpaid orders whose hold ran out; a payment that did succeed is applied instead."""
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
        async with sessions() as db, db.begin():
            order = await db.get(Order, order_id)
            if order is None or order.status != OrderStatus.PENDING_PAYMENT:
                continue
            attempt = await settlement.current_attempt(db, order)
            if attempt is not None and attempt.payment_intent_id:
                intent = await gateway.retrieve_intent(attempt.payment_intent_id)
                if intent.status == "succeeded":
                    await settlement.apply_intent(db, intent)
                    continue
                # Stop a 3DS or async payment from succeeding after we give the stock back.
                await gateway.cancel_intent(attempt.payment_intent_id)
            await services.cancel_order(db, order, "The 10-minute hold expired before payment.")
            expired += 1
    return expired


async def retry_events(sessions: SessionFactory, gateway: StripeGateway) -> int:
    applied = 0
    async with sessions() as db:
        pending = [event.id for event in await webhooks.unapplied(db)]
    for event_id in pending:
        async with sessions() as db, db.begin():
            event = await db.get(webhooks.PaymentEvent, event_id)
            if event is not None and event.processed_at is None:
                applied += int(await webhooks.apply(db, gateway, event))
    return applied


async def send_refunds(sessions: SessionFactory, gateway: StripeGateway) -> int:
    async with sessions() as db:
        refund_ids = [refund.id for refund in await settlement.unsent_refunds(db)]
    for refund_id in refund_ids:
        async with sessions() as db, db.begin():
            refund = await db.get(settlement.Refund, refund_id)
            if refund is not None and refund.status == "pending":
                with suppress(AppError):
                    await settlement.execute_refund(db, gateway, refund)
    return len(refund_ids)


async def reconcile(sessions: SessionFactory, gateway: StripeGateway) -> int:
    """Repair orders whose webhook was lost: every succeeded PaymentIntent ends with a paid order."""
    repaired = 0
    for intent in await gateway.recent_intents():
        if intent.status != "succeeded" or "order_id" not in intent.metadata:
            continue
        async with sessions() as db, db.begin():
            order = await settlement.apply_intent(db, intent)
            repaired += int(order is not None and order.status == OrderStatus.PAID)
    await send_refunds(sessions, gateway)
    return repaired


async def run_forever(
    sessions: SessionFactory, gateway: StripeGateway, sweep_s: int, reconcile_s: int
) -> None:
    ticks = 0
    while True:
        await asyncio.sleep(sweep_s)
        ticks += 1
        try:
            await expire_holds(sessions, gateway)
            await retry_events(sessions, gateway)
            await send_refunds(sessions, gateway)
            if ticks * sweep_s % reconcile_s < sweep_s:
                await reconcile(sessions, gateway)
        except AppError as error:
            log.warning("payment jobs: %s", error.message)


async def run_once(settings: Any) -> str:
    """`python -m shop reconcile`: one pass of every job, for cron or an operator."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from shop.app import build_gateway
    from shop.core.db import build_engine

    engine = build_engine(settings)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    gateway = build_gateway(settings)
    try:
        repaired = await reconcile(sessions, gateway)
        expired = await expire_holds(sessions, gateway)
        applied = await retry_events(sessions, gateway)
    finally:
        await engine.dispose()
    return f"reconciled: {repaired} orders repaired, {expired} holds expired, {applied} stored events applied"
