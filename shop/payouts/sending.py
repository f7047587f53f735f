"""Sending planned transfers and reversals to Stripe, one claimed row at a time, at a polite pace.

Every call carries the key stored with its row, so a run that crashed after Stripe accepted a
transfer sends the same key again and gets the same transfer back: nobody is paid twice. A row is
claimed (`planned → sending`, a conditional UPDATE) so two runs at once never both send it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import InsufficientBalance, StripeFailure
from payments.gateway import StripeGateway
from payments.models import PaymentAttempt, Refund, RefundStatus
from shop.commissions.models import Commission, CommissionState
from shop.core import clock
from shop.core.retry import RetryPolicy
from shop.deals.models import HeldFee
from shop.payouts.accounts import enabled_account
from shop.payouts.models import (
    PayoutCarry,
    PayoutReversal,
    PayoutTransfer,
    ReversalState,
    TransferState,
)
from shop.payouts.refusals import refuse

log = logging.getLogger("zhongcao.payouts")
# A run that died holding a claim: the row is retaken after this (its stored key makes resending
# safe; Stripe answers a repeated key with the transfer it already made).
STALE_CLAIM = timedelta(minutes=5)
CLAIMABLE = ("planned", "sending")
FROM_PLATFORM = "platform"  # a transfer's source_charge_id when it is paid from the platform's balance
REFUNDS_OUT = (RefundStatus.PENDING, RefundStatus.SENDING, RefundStatus.SUCCEEDED)


class Pacer:
    """At most `per_second` calls a second (Stripe's rate limits are per account, ~25/s in test
    mode): each call waits for its slot; a 429 pushes every later slot back by its Retry-After."""

    def __init__(self, per_second: float = 20.0) -> None:
        self.gap = 1.0 / per_second
        self.next_at = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        if self.next_at > now:
            await asyncio.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.gap

    def back_off(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


def claimable(model: Any) -> ColumnElement[bool]:
    """Planned rows, and rows whose sender died holding them."""
    stale = and_(model.state == "sending", model.updated_at < clock.now() - STALE_CLAIM)
    return or_(model.state == "planned", stale)


async def _claim(db: AsyncSession, model: type[PayoutTransfer] | type[PayoutReversal], row_id: int) -> bool:
    claimed = await db.execute(
        update(model)
        .where(model.id == row_id, claimable(model))
        .values(state="sending", updated_at=clock.now())
    )
    await db.commit()  # the claim is durable before the call: no second sender meanwhile
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


async def source_charge(db: AsyncSession, gateway: StripeGateway, transfer: PayoutTransfer) -> str | None:
    """The charge the money comes from: the order's succeeded PaymentIntent, or the deal's fee;
    None: the platform's own balance. Decided once and stored before the call, so a resend under
    the same key asks Stripe for the same transfer."""
    if transfer.source_charge_id:
        return None if transfer.source_charge_id == FROM_PLATFORM else transfer.source_charge_id
    intent_id = None
    if transfer.order_id is not None:
        intent_id = await db.scalar(
            select(PaymentAttempt.payment_intent_id).where(
                PaymentAttempt.order_id == transfer.order_id, PaymentAttempt.status == "succeeded"
            )
        )
    elif transfer.offer_id is not None:
        intent_id = await db.scalar(
            select(HeldFee.payment_intent_id).where(HeldFee.offer_id == transfer.offer_id)
        )
    if intent_id:
        charge = await gateway.charge_of_intent(intent_id)
        short = (
            charge is not None
            and transfer.order_id is not None
            and transfer.amount > await charge_room(db, transfer, charge)
        )
        transfer.source_charge_id = FROM_PLATFORM if short else charge
    return None if transfer.source_charge_id == FROM_PLATFORM else transfer.source_charge_id


async def charge_room(db: AsyncSession, transfer: PayoutTransfer, charge_id: str) -> int:
    """What Stripe has left of the order's charge to pay `transfer` from: captured, less refunds (on
    their way too), less what the other transfers from it still hold (reversals sent are back).

    A refund after a payout is paid from the charge even when the payee's reversal is refused (a
    debt the platform recovers later), so a payee planned before it but sent after (a creator who
    onboarded late) can find less left than they are owed: the platform advances it, as it did the
    refund, from its own balance."""
    captured = await db.scalar(
        select(func.coalesce(func.sum(PaymentAttempt.amount), 0)).where(
            PaymentAttempt.order_id == transfer.order_id, PaymentAttempt.status == "succeeded"
        )
    )
    refunded = await db.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.order_id == transfer.order_id, Refund.status.in_(REFUNDS_OUT)
        )
    )
    others = and_(PayoutTransfer.source_charge_id == charge_id, PayoutTransfer.id != transfer.id)
    out = await db.scalar(
        select(func.coalesce(func.sum(PayoutTransfer.amount), 0)).where(
            others, PayoutTransfer.state.in_((TransferState.SENDING, TransferState.SENT))
        )
    )
    back = await db.scalar(
        select(func.coalesce(func.sum(PayoutReversal.amount), 0))
        .join(PayoutTransfer, PayoutTransfer.id == PayoutReversal.transfer_id)
        .where(others, PayoutReversal.state == ReversalState.SENT)
    )
    return int(captured or 0) - int(refunded or 0) - int(out or 0) + int(back or 0)


async def send_transfer(db: AsyncSession, gateway: StripeGateway, pacer: Pacer, transfer_id: int) -> bool:
    """True when Stripe accepted it now. A payee without an enabled account waits (not claimed)."""
    transfer = await db.get(PayoutTransfer, transfer_id, populate_existing=True)
    if transfer is None or transfer.state not in CLAIMABLE:
        return False
    destination = await enabled_account(db, transfer.payee_id)
    if destination is None or not await _claim(db, PayoutTransfer, transfer_id):
        return False
    await db.refresh(transfer)
    try:
        source = await source_charge(db, gateway, transfer)
        await db.commit()
        await pacer.wait()
        sent = await gateway.create_transfer(
            amount=transfer.amount,
            currency=transfer.currency,
            destination=destination,
            transfer_group=transfer.transfer_group,
            source_transaction=source,
            metadata={"payout_transfer": str(transfer.id), "role": transfer.role},
            idempotency_key=transfer.idempotency_key,
        )
    except StripeFailure as error:
        await _transfer_failed(db, transfer_id, error)
        if getattr(error, "retry_after", None):
            pacer.back_off(float(error.retry_after or 1))
        return False
    transfer.stripe_transfer_id, transfer.state, transfer.sent_at = (
        sent.id,
        TransferState.SENT.value,
        clock.now(),
    )
    transfer.clear_failures()
    await db.execute(
        update(Commission)
        .where(Commission.transfer_id == transfer.id)
        .values(state=CommissionState.PAID.value, paid_at=clock.now())
    )
    await db.commit()
    return True


async def _transfer_failed(db: AsyncSession, transfer_id: int, error: StripeFailure) -> None:
    """Undecided: back to planned, retried after the backoff. Refused for good (or too often):
    refused, and its share is planned again with the amounts as they are then (refusals.py)."""
    await db.rollback()
    transfer = await db.get(PayoutTransfer, transfer_id, populate_existing=True)
    assert transfer is not None
    reason = f"{type(error).__name__}: {error.message}"
    gave_up = transfer.record_failure(reason, RetryPolicy(), clock.now())
    if error.permanent or gave_up:
        await refuse(db, transfer, reason)
    else:
        transfer.state = TransferState.PLANNED.value
        log.warning("transfer %s not sent yet: %s", transfer_id, error.message)
    await db.commit()


async def send_reversal(db: AsyncSession, gateway: StripeGateway, pacer: Pacer, reversal_id: int) -> bool:
    reversal = await db.get(PayoutReversal, reversal_id, populate_existing=True)
    if reversal is None or reversal.state not in CLAIMABLE:
        return False
    transfer = await db.get(PayoutTransfer, reversal.transfer_id)
    if (
        transfer is None
        or not transfer.stripe_transfer_id
        or not await _claim(db, PayoutReversal, reversal_id)
    ):
        return False
    await db.refresh(reversal)
    try:
        await pacer.wait()
        sent = await gateway.reverse_transfer(
            transfer.stripe_transfer_id,
            amount=reversal.amount,
            metadata={"payout_reversal": str(reversal.id), "refund": str(reversal.refund_id or "")},
            idempotency_key=reversal.idempotency_key,
        )
    except InsufficientBalance as short:
        # The payee has already spent it: what they owe is kept back from their next transfers.
        reversal.state = ReversalState.REFUSED.value
        reversal.last_error = short.message[:500]
        db.add(
            PayoutCarry(
                payee_id=transfer.payee_id,
                currency=transfer.currency,
                amount=reversal.amount,
                reversal_id=reversal.id,
            )
        )
        await db.commit()
        return False
    except StripeFailure as error:
        await db.rollback()
        reversal = await db.get(PayoutReversal, reversal_id, populate_existing=True)
        assert reversal is not None
        reversal.state = ReversalState.PLANNED.value
        reversal.record_failure(f"{type(error).__name__}: {error.message}", RetryPolicy(), clock.now())
        await db.commit()
        return False
    reversal.stripe_reversal_id, reversal.state = sent.id, ReversalState.SENT.value
    await db.commit()
    return True


async def is_ours(db: AsyncSession, stripe_transfer_id: str) -> bool:
    stmt = select(PayoutTransfer.id).where(PayoutTransfer.stripe_transfer_id == stripe_transfer_id)
    return await db.scalar(stmt) is not None
