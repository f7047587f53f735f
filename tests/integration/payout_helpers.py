"""Payout tests' tools: the local Stripe server's Connect test hooks, signed Connect events, one
settlement run, and a clean sandbox around each test.

Ids start again at 1 after each test's wipe, so transfer keys (`transfer-order-1-merchant-2-1`)
repeat across tests; the local server replays a key it has seen (or refuses it with other
parameters), so a payout test empties the server's store before and after it runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from payments.models import Refund
from shop.audit import checks
from shop.commissions.models import Commission, CommissionEntry
from shop.orders.models import Order, OrderLine
from shop.payouts.jobs import run_settlement
from shop.payouts.models import PayoutCarry, PayoutReversal, PayoutTransfer
from tests.payments_helpers import signed_event

FEE_BPS, WINDOW_DAYS = 500, 7


async def flush_sandbox(sandbox: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox) as api:
        assert (await api.delete("/_config/data")).status_code == 200


@pytest.fixture
async def fresh_sandbox(stripe_sandbox: str) -> AsyncIterator[str]:
    await flush_sandbox(stripe_sandbox)
    yield stripe_sandbox
    await flush_sandbox(stripe_sandbox)


async def set_balance(sandbox: str, account_id: str, available: int) -> None:
    """The payee's simulated balance: a reversal beyond it is refused (`balance_insufficient`)."""
    async with httpx.AsyncClient(base_url=sandbox) as api:
        answer = await api.post(f"/_connect/accounts/{account_id}/balance", data={"available": available})
    assert answer.status_code == 200, answer.text


async def disable_payee(sandbox: str, account_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=sandbox) as api:
        answer = await api.post(f"/_connect/accounts/{account_id}/disable")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def audit_is_clean(db: AsyncSession) -> None:
    """I3, I4 and I5, as `python -m shop audit` checks them: no violations."""
    for finding in (
        await checks.payments_match(db),
        await checks.charges_cover_transfers(db, fee_bps=FEE_BPS),
        await checks.commissions_match(db),
    ):
        assert finding.violations == 0, finding.line()


async def transfers_of(app: Litestar, order_id: int) -> dict[int, int]:
    """{amount: amount_reversed} of the order's transfers on Stripe."""
    return {t.amount: t.amount_reversed for t in await gateway_of(app).list_transfers(f"order_{order_id}")}


def gateway_of(app: Litestar) -> StripeGateway:
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    return gateway


async def settle(app: Litestar) -> dict[str, int]:
    return await run_settlement(app.state.sessions, gateway_of(app), fee_bps=FEE_BPS, window_days=WINDOW_DAYS)


def connect_event(event_type: str, obj: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A signed Connect event (`account.updated`, `transfer.created`) carrying `obj`."""
    return signed_event(
        str(obj["id"]), event_type, event_id=f"evt_{obj['id']}_{time.time_ns()}", data_object=obj
    )


def body_of(payload: bytes) -> dict[str, Any]:
    return dict(json.loads(payload))


async def order_books(db: AsyncSession, order_id: int) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was: the order and its lines, the commission
    ledger, refunds, and the payouts' transfers, reversals and debts."""
    order = (await db.execute(select(Order.status, Order.refunded_amount).where(Order.id == order_id))).one()
    lines = (
        await db.execute(
            select(OrderLine.id, OrderLine.refunded_amount).where(OrderLine.order_id == order_id)
        )
    ).all()
    entries = await db.scalar(
        select(func.count(CommissionEntry.id))
        .join(Commission, Commission.id == CommissionEntry.commission_id)
        .where(Commission.order_id == order_id)
    )
    counts = [
        await db.scalar(select(func.count(m.id))) for m in (PayoutTransfer, PayoutReversal, PayoutCarry)
    ]
    refunds = await db.scalar(select(func.count(Refund.id)).where(Refund.order_id == order_id))
    return tuple(order), sorted(tuple(line) for line in lines), entries, refunds, counts
