"""A transfer Stripe refused for good, and the share planned again in its place.

Stripe refuses a transfer for good when, say, the charge it comes from was refunded in its
dashboard before our books heard of it. The refused row keeps its key (a key is never reused
with another amount); its commissions go back to payable and the debts it had netted are owed
again. Its share is then planned again from the order as it is *then*:

    refused ──a refund changes what the payee is owed──▶ failed, a new transfer planned at once
       └──────REPLAN_AFTER passes─────────────────────▶ failed, a new transfer planned
    (after MAX_TRIES transfers for one share: failed, left to an operator)

A deal fee's refused transfer is only retired: the run's fee step plans the fee again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.commissions.models import Commission, CommissionState
from shop.core import clock
from shop.inventory.locks import lock_order
from shop.orders.models import Order
from shop.payouts.models import PayoutCarry, PayoutTransfer, TransferState
from shop.payouts.settlement import plan_share, shares

log = logging.getLogger("zhongcao.payouts")
REPLAN_AFTER = timedelta(days=1)  # Stripe's answer may change (an account fixed, funds settled)
MAX_TRIES = 4  # transfers for one payee's share of one order, or for one fee


def give_back_debts(db: AsyncSession, transfer: PayoutTransfer) -> None:
    """What a transfer that never moved had kept back is owed again, by the next one."""
    if transfer.netted:
        db.add(
            PayoutCarry(
                payee_id=transfer.payee_id,
                currency=transfer.currency,
                amount=transfer.netted,
                transfer_id=transfer.id,
            )
        )


async def refuse(db: AsyncSession, transfer: PayoutTransfer, reason: str) -> None:
    transfer.state, transfer.last_error = TransferState.REFUSED.value, reason[:500]
    give_back_debts(db, transfer)
    await db.execute(
        update(Commission)
        .where(Commission.transfer_id == transfer.id)
        .values(state=CommissionState.PAYABLE.value, transfer_id=None)
    )
    log.error("transfer %s refused for good: %s", transfer.id, reason)


def refused_due_query() -> Select[Any]:
    stale = PayoutTransfer.updated_at <= clock.now() - REPLAN_AFTER
    stmt = select(PayoutTransfer.id).where(PayoutTransfer.state == TransferState.REFUSED, stale)
    return stmt.order_by(PayoutTransfer.id)


async def replan_refused(db: AsyncSession, transfer_id: int, fee_bps: int) -> PayoutTransfer | None:
    """Retire a refused transfer and plan its share as it is now (None: nothing planned)."""
    transfer = await db.get(PayoutTransfer, transfer_id, populate_existing=True)
    if transfer is None or transfer.state != TransferState.REFUSED:
        return None
    if transfer.order_id is None:  # a deal fee: the fee step plans it again
        tries = await _tries(db, PayoutTransfer.offer_id == transfer.offer_id)
        _retire(transfer, "planned again" if tries < MAX_TRIES else "given up: an operator decides")
        return None
    order = await lock_order(db, transfer.order_id)
    await db.refresh(transfer)
    if order is None or transfer.state != TransferState.REFUSED:
        return None
    return await replan_share(db, order, transfer, fee_bps)


async def replan_share(
    db: AsyncSession, order: Order, transfer: PayoutTransfer, fee_bps: int
) -> PayoutTransfer | None:
    """The refused transfer's payee's share of `order` now, planned under a new key."""
    due = {(s.role.value, s.payee_id): s for s in await shares(db, order, fee_bps)}
    share = due.get((transfer.role, transfer.payee_id))
    tries = await _tries(
        db,
        PayoutTransfer.order_id == transfer.order_id,
        PayoutTransfer.payee_id == transfer.payee_id,
        PayoutTransfer.role == transfer.role,
    )
    if share is None or share.amount <= 0:
        _retire(transfer, "nothing left to pay")
        return None
    if tries >= MAX_TRIES:
        _retire(transfer, "given up: an operator decides")
        log.error("transfer %s: %s tries refused, left to an operator", transfer.id, tries)
        return None
    _retire(transfer, "planned again")
    return await plan_share(db, order, share)


def _retire(transfer: PayoutTransfer, outcome: str) -> None:
    reason = (transfer.last_error or "refused")[:400]
    transfer.state, transfer.last_error = TransferState.FAILED.value, f"{reason} ({outcome})"


async def _tries(db: AsyncSession, *where: ColumnElement[bool]) -> int:
    return int(await db.scalar(select(func.count(PayoutTransfer.id)).where(*where)) or 0)
