"""Stripe webhooks: verify the signature on the raw body, store the event once, dispatch it.

An event is only a nudge: the handler is given the object retrieved from Stripe just now (the
PaymentIntent of a `payment_intent.*` event, the charge of a `charge.*` event), never the webhook
body's copy. Each try runs in its own transaction, and a failed one is written on the event:

    pending ──apply──▶ processed        (applied, or no handler for its type: kept for the record)
       │  └─not yet / Stripe down──▶ pending, failures+1, next_attempt_at (backoff; the sweeper retries)
       └─Stripe does not know the object, or N failures──▶ failed   (`python -m shop events --failed`)

An event whose order is not visible yet is retried, never answered "200 and dropped".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import Charge, ConnectedAccount, Intent, StripeGateway, Transfer
from payments.models import EventStatus, PaymentEvent
from shop.core import clock
from shop.core.db import insert_ignoring_conflict
from shop.core.retry import RetryPolicy, describe

log = logging.getLogger("zhongcao.payments")

IntentHandler = Callable[[AsyncSession, Intent], Awaitable[bool]]
ChargeHandler = Callable[[AsyncSession, Charge], Awaitable[bool]]
AccountHandler = Callable[[AsyncSession, ConnectedAccount], Awaitable[bool]]
TransferHandler = Callable[[AsyncSession, Transfer], Awaitable[bool]]
NOT_VISIBLE = "the order of this payment is not visible yet"


class WebhookHandlers:
    """Which handler each event type goes to. One per app, built by the composition root and
    injected: two apps in one process never share handlers."""

    def __init__(self) -> None:
        self._intent: dict[str, IntentHandler] = {}
        self._charge: dict[str, ChargeHandler] = {}
        self._account: dict[str, AccountHandler] = {}
        self._transfer: dict[str, TransferHandler] = {}

    def on_intent(self, event_type: str, handler: IntentHandler) -> None:
        """`payment_intent.*`: the handler gets the PaymentIntent; False means "order not visible yet"."""
        self._intent[event_type] = handler

    def on_charge(self, event_type: str, handler: ChargeHandler) -> None:
        """`charge.*` (e.g. `charge.refunded`): the handler gets the charge with its refunds."""
        self._charge[event_type] = handler

    def on_account(self, event_type: str, handler: AccountHandler) -> None:
        """`account.updated`: the handler gets the connected account as Stripe has it now."""
        self._account[event_type] = handler

    def on_transfer(self, event_type: str, handler: TransferHandler) -> None:
        """`transfer.*`: the handler gets the transfer (with `amount_reversed`) as Stripe has it now."""
        self._transfer[event_type] = handler

    async def apply(self, db: AsyncSession, gateway: StripeGateway, event: PaymentEvent) -> bool:
        """Hand the event to its handler; False: not yet (its order is not visible). Stripe errors raise."""
        event.apply_attempts += 1
        obj = _object(event.payload)
        charge_handler = self._charge.get(event.type)
        intent_handler = self._intent.get(event.type)
        account_handler = self._account.get(event.type)
        transfer_handler = self._transfer.get(event.type)
        if charge_handler is not None and obj.get("object") == "charge":
            done = await charge_handler(db, await gateway.retrieve_charge(str(obj["id"])))
        elif account_handler is not None and obj.get("object") == "account":
            done = await account_handler(db, await gateway.retrieve_account(str(obj["id"])))
        elif transfer_handler is not None and obj.get("object") == "transfer":
            done = await transfer_handler(db, await gateway.retrieve_transfer(str(obj["id"])))
        elif intent_handler is not None and event.payment_intent_id is not None:
            done = await intent_handler(db, await gateway.retrieve_intent(event.payment_intent_id))
        else:
            done = True  # nothing we act on: keep it for the record
        if done:
            event.processed_at = clock.now()
            event.status = EventStatus.PROCESSED.value
            event.clear_failures()
        return done


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return dict((event.get("data") or {}).get("object") or {})


async def store(db: AsyncSession, event: dict[str, Any]) -> PaymentEvent | None:
    """Insert the event; None when this event id was stored before (a duplicate delivery)."""
    obj = _object(event)
    kind = obj.get("object")
    intent_id = obj.get("id") if kind == "payment_intent" else obj.get("payment_intent")
    now = clock.now()
    inserted = await insert_ignoring_conflict(
        db,
        PaymentEvent,
        {
            "event_id": event["id"],
            "type": event.get("type", ""),
            "payment_intent_id": intent_id if isinstance(intent_id, str) else None,
            "payload": event,
            "apply_attempts": 0,
            "status": EventStatus.PENDING.value,
            "failures": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not inserted:
        return None
    return await db.scalar(select(PaymentEvent).where(PaymentEvent.event_id == event["id"]))


async def attempt(
    db: AsyncSession, gateway: StripeGateway, handlers: WebhookHandlers, event_id: int, policy: RetryPolicy
) -> str:
    """One try at a stored event, committed on its own; a failure is written on the event.

    Returns the event's status afterwards. Only a failure to write that down (the DB is gone)
    raises: the caller's loop logs it and tries again later.
    """
    event = await db.get(PaymentEvent, event_id, populate_existing=True)
    if event is None or event.status != EventStatus.PENDING:
        return event.status if event is not None else EventStatus.FAILED.value
    try:
        if await handlers.apply(db, gateway, event):
            await db.commit()
            return EventStatus.PROCESSED.value
        error, permanent = NOT_VISIBLE, False
    except Exception as failure:  # one bad event must not stop the others
        await db.rollback()
        error, permanent = describe(failure), bool(getattr(failure, "permanent", False))
        event = await db.get(PaymentEvent, event_id, populate_existing=True)
        assert event is not None
        event.apply_attempts += 1  # the try that was rolled back
    if event.record_failure(error, policy, clock.now()) or permanent:
        event.status = EventStatus.FAILED.value
        log.error("event %s (%s) failed for good: %s", event.event_id, event.type, error)
    else:
        log.warning(
            "event %s (%s) not applied, try %s: %s", event.event_id, event.type, event.failures, error
        )
    await db.commit()
    return event.status


async def unapplied(db: AsyncSession, older_than_s: float = 2.0, limit: int = 100) -> list[PaymentEvent]:
    """Pending events whose backoff is over; fresh ones are left to the webhook that stored them."""
    now = clock.now()
    stmt = (
        select(PaymentEvent)
        .where(
            PaymentEvent.status == EventStatus.PENDING.value,
            PaymentEvent.created_at < now - timedelta(seconds=older_than_s),
            PaymentEvent.due(now),
        )
        .order_by(PaymentEvent.id)
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())


async def failed(db: AsyncSession, limit: int = 500) -> list[PaymentEvent]:
    """Events given up on, newest first: what an operator reads (`python -m shop events --failed`)."""
    stmt = (
        select(PaymentEvent)
        .where(PaymentEvent.status == EventStatus.FAILED.value)
        .order_by(PaymentEvent.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())


async def recent(db: AsyncSession, limit: int = 100) -> list[PaymentEvent]:
    stmt = select(PaymentEvent).order_by(PaymentEvent.id.desc()).limit(limit)
    return list((await db.scalars(stmt)).all())
