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
from shop.payouts.refusals import MAX_TRIES, REPLAN_AFTER
from shop.payouts.settlement import plan_order
from tests.helpers import Client
from tests.integration.earning_helpers import note_sale, onboard, refund, ship, two_shop_sale
from tests.integration.payout_helpers import (
    FEE_BPS,
    WINDOW_DAYS,
    audit_is_clean,
    connect_event,
    fresh_sandbox,  # noqa: F401 (a fixture)
    gateway_of,
    settle,
    transfers_of,
)

pytestmark = pytest.mark.usefixtures("fresh_sandbox")
WINDOW = timedelta(days=WINDOW_DAYS + 1)


@pytest.mark.parametrize("claimed", [False, True], ids=["before-the-claim", "after-the-claim"])
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


async def test_a_transfer_refused_for_good_is_planned_again_with_the_amounts_as_they_are_then(
    app: Litestar,
    anonymous: Client,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    """9000 of the 10000 charge is refunded in Stripe's dashboard, and the run comes before the
    `charge.refunded` event: Stripe refuses the shop's 8500 (only 1000 is left of the charge) for
    good. Once the event has brought the order in line, the next run pays the shop what it is owed
    now, 1000 - 100 - 50 = 850, and takes 900 back from the creator's 1000."""
    await onboard(merchant)
    await onboard(creator)
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, order["id"])
    gateway = gateway_of(app)
    intent = str(order["payment"]["payment_intent_id"])
    await gateway.refund(intent, 9_000, "refunded-in-the-dashboard")
    clock.advance(WINDOW)
    await settle(app)
    refused = await db.scalar(select(PayoutTransfer.state).where(PayoutTransfer.payee_id == merchant.id))
    assert refused == "refused"
    charge = await gateway.charge_of_intent(intent)
    body, headers = connect_event(
        "charge.refunded", {"id": charge, "object": "charge", "payment_intent": intent}
    )
    answer = await anonymous.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    assert answer.json()["status"] == "processed", answer.text
    await settle(app)
    assert await transfers_of(app, order["id"]) == {1_000: 900, 850: 0}


async def test_a_share_stripe_keeps_refusing_is_asked_again_daily_then_left_to_an_operator(
    app: Litestar,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    """No event ever brings the order in line, so Stripe refuses the shop's 8500 every time. The
    run does not ask again at once (nothing has changed), but a day later, under a new key; after
    MAX_TRIES refusals it stops, and the books say so."""
    await onboard(merchant)
    await onboard(creator)
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, order["id"])
    await gateway_of(app).refund(str(order["payment"]["payment_intent_id"]), 9_000, "in-the-dashboard")
    clock.advance(WINDOW)
    shop_rows = select(PayoutTransfer.state, PayoutTransfer.idempotency_key).where(
        PayoutTransfer.payee_id == merchant.id
    )
    await settle(app)
    await settle(app)
    assert [state for state, _ in (await db.execute(shop_rows)).all()] == ["refused"]
    for _day in range(MAX_TRIES + 1):
        clock.advance(REPLAN_AFTER + timedelta(minutes=1))
        await settle(app)
    rows = (await db.execute(shop_rows.order_by(PayoutTransfer.id))).all()
    assert [state for state, _ in rows] == ["failed"] * MAX_TRIES
    assert len({key for _, key in rows}) == MAX_TRIES
    assert await transfers_of(app, order["id"]) == {1_000: 0}  # only the creator was paid
    last = await db.scalar(
        select(PayoutTransfer.last_error)
        .where(PayoutTransfer.payee_id == merchant.id)
        .order_by(PayoutTransfer.id.desc())
        .limit(1)
    )
    assert last is not None
    assert "operator" in last


async def test_an_order_whose_unshipped_lines_are_refunded_in_full_is_still_settled(
    app: Litestar,
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
) -> None:
    """One shop ships; the other refunds all its lines instead. Every line has now shipped or been
    refunded in full, so the order is fulfilled, and once the window passes the shop that shipped
    and the creator are paid."""
    for payee in (merchant, other_merchant, creator):
        await onboard(payee)
    order = await two_shop_sale(merchant, other_merchant, creator, shopper)
    await ship(merchant, order["id"])
    await refund(other_merchant, order["id"])
    assert (await shopper.get(f"/api/v1/orders/{order['id']}")).json()["fulfilled_at"] is not None
    clock.advance(WINDOW)
    await settle(app)
    assert await transfers_of(app, order["id"]) == {800: 0, 6_800: 0}
