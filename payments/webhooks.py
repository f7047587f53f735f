"""Stripe webhooks: verify the signature on the raw body, store the event once, dispatch it.

An event is only a nudge: the handler is given a PaymentIntent retrieved from Stripe just now,
never the webhook body's copy. An event whose order is not visible yet stays unapplied
(`processed_at` empty) and is retried by the sweeper; it is never answered "200 and dropped".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import Intent, StripeGateway
from payments.models import PaymentEvent
from shop.core.db import insert_ignoring_conflict

log = logging.getLogger("zhongcao.payments")

IntentHandler = Callable[[AsyncSession, Intent], Awaitable[bool]]
_dispatch: dict[str, IntentHandler] = {}


def register(event_type: str, handler: IntentHandler) -> None:
    _dispatch[event_type] = handler


async def store(db: AsyncSession, event: dict[str, Any]) -> PaymentEvent | None:
    """Insert the event; None when this event id was stored before (a duplicate delivery)."""
    obj = (event.get("data") or {}).get("object") or {}
    intent_id = obj.get("id") if obj.get("object") == "payment_intent" else None
    now = datetime.now(UTC)
    inserted = await insert_ignoring_conflict(
        db,
        PaymentEvent,
        {
            "event_id": event["id"],
            "type": event.get("type", ""),
            "payment_intent_id": intent_id,
            "payload": event,
            "apply_attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not inserted:
        return None
    return await db.scalar(select(PaymentEvent).where(PaymentEvent.event_id == event["id"]))


async def apply(db: AsyncSession, gateway: StripeGateway, event: PaymentEvent) -> bool:
    handler = _dispatch.get(event.type)
    event.apply_attempts += 1
    if handler is None or event.payment_intent_id is None:
        event.processed_at = datetime.now(UTC)  # nothing we act on: keep it for the record
        return True
    intent = await gateway.retrieve_intent(event.payment_intent_id)
    if await handler(db, intent):
        event.processed_at = datetime.now(UTC)
        return True
    log.info("event %s: order for %s not visible yet, will retry", event.event_id, event.payment_intent_id)
    return False


async def unapplied(db: AsyncSession, older_than_s: float = 2.0, limit: int = 100) -> list[PaymentEvent]:
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)
    stmt = (
        select(PaymentEvent)
        .where(PaymentEvent.processed_at.is_(None), PaymentEvent.created_at < cutoff)
        .order_by(PaymentEvent.id)
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())
