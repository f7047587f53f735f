"""The settlement run: a periodic job, and `python -m shop settle`. Each step, each item, on its own.

    1. commissions whose return window closed become payable
    2. payable orders are planned: one transfer per payee, debts netted, keys stored
    3. released deal fees are planned the same way
    4. transfers Stripe refused for good a while ago are planned again (refusals.py)
    5. planned reversals are sent; one refused for a short balance becomes a debt
    6. planned transfers are sent, paced (a payee without an enabled account waits)

A run killed anywhere leaves rows with their keys: the next run (or a second one at the same time,
kept apart by the order's row lock and the rows' claims) finishes the work and pays no one twice.
A claim a dead run left behind is retaken once it is `STALE_CLAIM` old.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments.gateway import StripeGateway
from shop.commissions.ledger import mark_payable
from shop.core import clock
from shop.core.keys import new_key
from shop.core.retry import describe
from shop.deals.models import Deal, FeeState, HeldFee
from shop.payouts.models import PayeeRole, PayoutReversal, PayoutTransfer, TransferState
from shop.payouts.refusals import MAX_TRIES, refused_due_query, replan_refused
from shop.payouts.sending import Pacer, claimable, send_reversal, send_transfer
from shop.payouts.settlement import (
    LIVE_TRANSFERS,
    net_debts,
    payable_orders_query,
    plan_order,
    settled_by_debt,
)

log = logging.getLogger("zhongcao.payouts")
SessionFactory = async_sessionmaker[AsyncSession]
BATCH = 500
# A fee with a part for the creator: released whole, or split by an operator (the brand's part is
# being refunded, or was).
RELEASED = (FeeState.RELEASABLE, FeeState.REFUNDING, FeeState.REFUNDED)


async def _each(
    sessions: SessionFactory, ids: list[int], work: Callable[[AsyncSession, int], Awaitable[Any]]
) -> int:
    done = 0
    for item_id in ids:
        try:
            async with sessions() as db:
                done += int(bool(await work(db, item_id)))
                await db.commit()
        except Exception as error:  # one bad item must not stop the run
            log.error("settlement: item %s failed, skipped until the next run: %s", item_id, describe(error))
    return done


async def run_settlement(
    sessions: SessionFactory,
    gateway: StripeGateway,
    *,
    fee_bps: int,
    window_days: int,
    pacer: Pacer | None = None,
) -> dict[str, int]:
    pacer = pacer or Pacer()
    window = timedelta(days=window_days)
    async with sessions() as db:
        payable = await mark_payable(db)
        await db.commit()
        orders = list((await db.scalars(payable_orders_query(window).limit(BATCH))).all())
        refused = list((await db.scalars(refused_due_query().limit(BATCH))).all())

    async def plan(db: AsyncSession, order_id: int) -> int:
        return len(await plan_order(db, order_id, fee_bps, window))

    async def replan(db: AsyncSession, transfer_id: int) -> bool:
        return await replan_refused(db, transfer_id, fee_bps) is not None

    counts = {"commissions payable": payable}
    counts["transfers planned"] = await _each(sessions, orders, plan)
    counts["refused planned again"] = await _each(sessions, refused, replan)
    async with sessions() as db:
        fees = await _releasable_fees(db)
    counts["fees planned"] = await _each(sessions, fees, _plan_fee)
    async with sessions() as db:
        transfers = await _due(db, PayoutTransfer)
        reversals = await _due(db, PayoutReversal)
    # Reversals first: what they bring back to a charge is what a replacement transfer is paid from.
    counts["reversals sent"] = await _each(
        sessions, reversals, lambda db, i: send_reversal(db, gateway, pacer, i)
    )
    counts["transfers sent"] = await _each(
        sessions, transfers, lambda db, i: send_transfer(db, gateway, pacer, i)
    )
    return counts


async def _due(db: AsyncSession, model: Any) -> list[int]:
    """Planned rows past their backoff, and claims a dead run left behind."""
    stmt = select(model.id).where(claimable(model), model.due(clock.now())).order_by(model.id)
    return list((await db.scalars(stmt.limit(BATCH))).all())


async def _releasable_fees(db: AsyncSession) -> list[int]:
    """Held fees released to their creator that no transfer carries yet (by offer id). A refused
    one waits to be retired (refusals.py); one refused `MAX_TRIES` times is an operator's."""
    carried = select(PayoutTransfer.id).where(
        PayoutTransfer.offer_id == HeldFee.offer_id,
        PayoutTransfer.state.in_((*LIVE_TRANSFERS, TransferState.REFUSED)),
    )
    tries = select(func.count(PayoutTransfer.id)).where(PayoutTransfer.offer_id == HeldFee.offer_id)
    stmt = select(HeldFee.offer_id).where(
        HeldFee.state.in_(RELEASED),
        HeldFee.release_amount > 0,
        ~carried.exists(),
        tries.scalar_subquery() < MAX_TRIES,
    )
    return list((await db.scalars(stmt.order_by(HeldFee.offer_id).limit(BATCH))).all())


async def _plan_fee(db: AsyncSession, offer_id: int) -> bool:
    fee = await db.scalar(select(HeldFee).where(HeldFee.offer_id == offer_id).with_for_update())
    deal = await db.scalar(select(Deal).where(Deal.offer_id == offer_id))
    if fee is None or deal is None or fee.state not in RELEASED or fee.release_amount <= 0:
        return False
    carried = select(PayoutTransfer.id).where(
        PayoutTransfer.offer_id == offer_id,
        PayoutTransfer.state.in_((*LIVE_TRANSFERS, TransferState.REFUSED)),
    )
    if await db.scalar(carried.limit(1)) is not None:
        return False
    count = await db.scalar(select(func.count(PayoutTransfer.id)).where(PayoutTransfer.offer_id == offer_id))
    if (count or 0) >= MAX_TRIES:
        return False
    transfer = PayoutTransfer(
        payee_id=deal.creator_id,
        role=PayeeRole.DEAL_FEE.value,
        offer_id=offer_id,
        amount=fee.release_amount,
        currency=fee.currency,
        transfer_group=f"offer_{offer_id}",
        idempotency_key=new_key("transfer-offer", offer_id, "fee", (count or 0) + 1),
    )
    db.add(transfer)
    await db.flush()
    await net_debts(db, transfer)
    if transfer.amount == 0:
        await settled_by_debt(db, transfer)
    return True


async def run_forever(
    sessions: SessionFactory, gateway: StripeGateway, *, fee_bps: int, window_days: int, every_s: float
) -> None:
    """Never returns, whatever a run meets: it logs, and the next run tries again."""
    pacer = Pacer()
    while True:
        await asyncio.sleep(every_s)
        try:
            await run_settlement(sessions, gateway, fee_bps=fee_bps, window_days=window_days, pacer=pacer)
        except Exception as error:
            log.error("settlement run failed, the next one will try again: %s", describe(error))


async def settle_once(settings: Any) -> dict[str, int]:
    """`python -m shop settle`."""
    from shop.app import build_gateway
    from shop.core.db import build_engine
    from shop.wiring import register_live

    register_live()
    engine = build_engine(settings)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        return await run_settlement(
            sessions,
            build_gateway(settings),
            fee_bps=settings.platform_fee_bps,
            window_days=settings.return_window_days,
        )
    finally:
        await engine.dispose()
