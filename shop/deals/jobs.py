"""The deadlines of offers and deals, and the held fees' refunds, kept by one periodic pass.

Each item runs in its own transaction. An item that fails is logged, its failure written on its
row (tries, the error, the next try), and skipped: the pass goes on to the next one.

    offers past `expires_at` still open      ──▶ expired (fee refunded)
    deals past `due_at` with nothing approved ──▶ expired (fee refunded)
    submissions past `review_due_at`          ──▶ approved (published if public)
    published deals past `protected_until`    ──▶ completed
    fees waiting for a refund                 ──▶ sent to Stripe under their stored key
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments.gateway import StripeGateway
from shop.core import clock
from shop.core.retry import Retried, RetryPolicy, describe
from shop.deals import fees, lifecycle, offers
from shop.deals.models import OPEN_OFFER_STATES, Deal, DealStatus, HeldFee, Offer
from shop.notifications.services import Notifier

log = logging.getLogger("zhongcao.deals")

SessionFactory = async_sessionmaker[AsyncSession]
BATCH = 200
DEFAULT = RetryPolicy()


async def _due_ids(db: AsyncSession, model: Any, *conditions: ColumnElement[bool]) -> list[int]:
    stmt = select(model.id).where(*conditions, model.due(clock.now()))
    return list((await db.scalars(stmt.order_by(model.id).limit(BATCH))).all())


async def _each(
    sessions: SessionFactory,
    model: type[Retried],
    ids: list[int],
    work: Callable[[AsyncSession, int], Awaitable[None]],
    policy: RetryPolicy,
) -> int:
    """Run `work` on each id in a transaction of its own; a failure is recorded on the row."""
    done = 0
    for item_id in ids:
        try:
            async with sessions() as db:
                await work(db, item_id)
                await db.commit()
            done += 1
        except Exception as error:
            text = describe(error)
            log.warning("deals job: %s %s failed: %s", model.__name__, item_id, text)
            async with sessions() as db, db.begin():
                row = await db.get(model, item_id)
                if row is not None and row.record_failure(text, policy, clock.now()):
                    log.error("deals job: %s %s needs an operator: %s", model.__name__, item_id, text)
    return done


async def run_pass(
    sessions: SessionFactory, gateway: StripeGateway, notifier: Notifier, policy: RetryPolicy = DEFAULT
) -> dict[str, int]:
    now = clock.now()
    async with sessions() as db:
        stale_offers = await _due_ids(db, Offer, Offer.status.in_(OPEN_OFFER_STATES), Offer.expires_at <= now)
        late = await _due_ids(
            db,
            Deal,
            Deal.status.in_([DealStatus.ACTIVE, DealStatus.CHANGES_REQUESTED, DealStatus.APPROVED]),
            Deal.offer.has(Offer.due_at <= now),
        )
        silent = await _due_ids(db, Deal, Deal.status == DealStatus.SUBMITTED, Deal.review_due_at <= now)
        protected = await _due_ids(db, Deal, Deal.status == DealStatus.PUBLISHED, Deal.protected_until <= now)

    async def expire_offer(db: AsyncSession, offer_id: int) -> None:
        offer = await offers.get_offer(db, offer_id, lock=True)
        if offer.status in OPEN_OFFER_STATES:
            await offers.expire(db, gateway, notifier, offer)

    async def expire_deal(db: AsyncSession, deal_id: int) -> None:
        await lifecycle.expire(db, notifier, await lifecycle.get_deal(db, deal_id, lock=True))

    async def approve_silently(db: AsyncSession, deal_id: int) -> None:
        await lifecycle.approve(db, notifier, None, await lifecycle.get_deal(db, deal_id, lock=True))

    async def complete(db: AsyncSession, deal_id: int) -> None:
        await lifecycle.complete(db, await lifecycle.get_deal(db, deal_id, lock=True))

    counts = {
        "offers expired": await _each(sessions, Offer, stale_offers, expire_offer, policy),
        "deals expired": await _each(sessions, Deal, late, expire_deal, policy),
        "approved after silence": await _each(sessions, Deal, silent, approve_silently, policy),
        "completed": await _each(sessions, Deal, protected, complete, policy),
    }
    counts["fee refunds sent"] = await send_fee_refunds(sessions, gateway, policy)
    return counts


async def send_fee_refunds(
    sessions: SessionFactory, gateway: StripeGateway, policy: RetryPolicy = DEFAULT
) -> int:
    async with sessions() as db:
        ids = await fees.refunds_to_send(db)

    async def send(db: AsyncSession, fee_id: int) -> None:
        await fees.send_refund(db, gateway, fee_id)

    return await _each(sessions, HeldFee, ids, send, policy)


async def run_forever(
    sessions: SessionFactory, gateway: StripeGateway, notifier: Notifier, every_s: float, policy: RetryPolicy
) -> None:
    """Never returns, whatever a pass meets (the DB down): it logs and tries again next time."""
    import asyncio

    while True:
        await asyncio.sleep(every_s)
        try:
            await run_pass(sessions, gateway, notifier, policy)
        except Exception as error:
            log.error("deals job: pass failed, the next one will try again: %s", describe(error))
