"""Payouts under bad input and faults (issue 11): refunds beyond what is left and at the same time,
a reversal refused for a short balance, a transfer we never asked for, payees who stop halfway or
are disabled, a self-referral, and currencies with 0 and 3 decimals. Settlement runs that die or
race are in test_payout_fault_runs.py. Everything against the real app, database and local Stripe.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from types import ModuleType

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.models import PaymentEvent
from shop.commissions.models import Commission, CommissionEntry
from shop.payouts.models import (
    PayoutAccount,
    PayoutCarry,
    PayoutReversal,
    PayoutTransfer,
)
from tests.helpers import Client, add_address, make_note, make_product
from tests.integration.earning_helpers import note_sale, onboard, refund, ship
from tests.integration.payout_helpers import (
    WINDOW_DAYS,
    audit_is_clean,
    connect_event,
    disable_payee,
    fresh_sandbox,  # noqa: F401 (a fixture)
    gateway_of,
    order_books,
    set_balance,
    settle,
    transfers_of,
)

pytestmark = pytest.mark.usefixtures("fresh_sandbox")
WINDOW = timedelta(days=WINDOW_DAYS + 1)


async def _paid_out(
    app: Litestar, merchant: Client, creator: Client, shopper: Client, clock: ModuleType
) -> int:
    """A 100.00 note sale at 10%, shipped, past its window and settled: the creator got 1000, the
    shop 10000 - 1000 - 500 (the platform's 5%) = 8500."""
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, order["id"])
    clock.advance(WINDOW)
    assert (await settle(app))["transfers sent"] == 2
    return int(order["id"])


async def _debt(db: AsyncSession, user_id: int) -> list[int]:
    rows = await db.scalars(
        select(PayoutCarry.amount).where(PayoutCarry.payee_id == user_id).order_by(PayoutCarry.id)
    )
    return list(rows.all())


async def test_a_refund_beyond_what_is_left_is_refused_and_changes_nothing(
    app: Litestar, merchant: Client, creator: Client, shopper: Client, clock: ModuleType, db: AsyncSession
) -> None:
    for payee in (merchant, creator):
        await onboard(payee)
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await refund(merchant, order["id"], 2_500)
    before = await order_books(db, order["id"])
    too_much = await merchant.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 7_501, "reason": "x"}
    )
    assert too_much.status_code == 409, too_much.text
    assert too_much.json()["fields"] == {"amount": "At most 7500."}
    assert await order_books(db, order["id"]) == before

    await ship(merchant, order["id"])
    clock.advance(WINDOW)
    await settle(app)
    assert await transfers_of(app, order["id"]) == {750: 0, 6_375: 0}  # 10% of 7500; 7500 - 750 - 375
    paid = await order_books(db, order["id"])
    again = await merchant.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 7_501, "reason": "x"}
    )
    assert again.status_code == 409, again.text
    await settle(app)
    assert await order_books(db, order["id"]) == paid
    assert await transfers_of(app, order["id"]) == {750: 0, 6_375: 0}


async def test_two_refunds_at_once_keep_the_ledger_and_transfers_consistent(
    app: Litestar, merchant: Client, creator: Client, shopper: Client, clock: ModuleType, db: AsyncSession
) -> None:
    for payee in (merchant, creator):
        await onboard(payee)
    order_id = await _paid_out(app, merchant, creator, shopper, clock)
    path = f"/api/v1/orders/{order_id}/refunds"
    five = await asyncio.gather(
        *(merchant.post(path, json={"amount": 1_000, "reason": "x"}) for _ in range(5))
    )
    assert [r.status_code for r in five] == [201] * 5, [r.text for r in five]
    # 5000 is left: of two refunds of 3000 at once, one is refused
    race = await asyncio.gather(
        *(merchant.post(path, json={"amount": 3_000, "reason": "x"}) for _ in range(2))
    )
    assert sorted(r.status_code for r in race) == [201, 409], [r.text for r in race]
    await settle(app)

    # 2000 kept: the creator is owed 200, the shop 2000 - 200 - 100 = 1700
    assert await transfers_of(app, order_id) == {1_000: 800, 8_500: 6_800}
    entries = (
        await db.execute(
            select(CommissionEntry.kind, CommissionEntry.amount)
            .join(Commission, Commission.id == CommissionEntry.commission_id)
            .where(Commission.order_id == order_id)
        )
    ).all()
    assert sum(amount for _, amount in entries) == 200
    # refunds only ever lower what the line is worth: no entry after the accrual gives any back
    assert [amount for kind, amount in entries if kind != "accrue" and amount > 0] == []
    await audit_is_clean(db)


async def _debt_of_500(
    app: Litestar,
    sandbox: str,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    """The creator was paid 1000, spent it, and a refund of half the order wants 500 back: the
    reversal is refused and the 500 is owed."""
    await onboard(merchant)
    account = await onboard(creator)
    order_id = await _paid_out(app, merchant, creator, shopper, clock)
    await set_balance(sandbox, account, 0)
    await refund(merchant, order_id, 5_000)
    counts = await settle(app)
    assert counts["reversals sent"] == 1  # the shop's; the creator's was refused
    assert await transfers_of(app, order_id) == {1_000: 0, 8_500: 4_250}
    refused = await db.scalar(
        select(PayoutReversal.state)
        .join(PayoutTransfer, PayoutTransfer.id == PayoutReversal.transfer_id)
        .where(PayoutTransfer.payee_id == creator.id)
    )
    assert refused == "refused"
    assert await _debt(db, creator.id) == [500]


async def test_a_reversal_refused_for_a_short_balance_is_owed_and_netted_from_the_next_transfer(
    app: Litestar,
    stripe_sandbox: str,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    """The second order's 2000 commission pays 1500 and keeps 500 back for the debt."""
    await _debt_of_500(app, stripe_sandbox, merchant, creator, shopper, clock, db)
    second = await note_sale(merchant, creator, shopper, price=20_000, bps=1_000)
    await ship(merchant, second["id"])
    clock.advance(WINDOW)
    await settle(app)
    # the creator's 2000 less the 500 owed; the shop's 20000 - 2000 - 1000
    assert await transfers_of(app, second["id"]) == {1_500: 0, 17_000: 0}
    netted = await db.scalar(
        select(PayoutTransfer.netted).where(
            PayoutTransfer.order_id == second["id"], PayoutTransfer.payee_id == creator.id
        )
    )
    assert netted == 500
    assert await _debt(db, creator.id) == [500, -500]  # owed, then kept back: the pair sums to 0
    earnings = (await creator.get("/api/v1/earnings")).json()
    assert earnings["totals"]["paid"] == 500 + 2_000  # commissions are the ledger's, whatever was netted
    await audit_is_clean(db)

    # that order refunded in full: the creator gives back all 2000 it credited them, the 1500
    # sent (reversed) and the 500 that settled the debt, which is owed again
    await refund(merchant, second["id"])
    await settle(app)
    assert await transfers_of(app, second["id"]) == {1_500: 1_500, 17_000: 17_000}
    assert sum(await _debt(db, creator.id)) == 500
    await audit_is_clean(db)


async def test_a_webhook_for_a_transfer_never_requested_is_logged_and_changes_nothing(
    app: Litestar,
    anonymous: Client,
    creator: Client,
    db: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = gateway_of(app)
    account = await onboard(creator)
    intent = await gateway.create_intent(
        amount=5_000,
        currency="USD",
        metadata={},
        idempotency_key="outside-intent",
        payment_method="pm_card_visa",
        transfer_group="outside",
    )
    charge = await gateway.charge_of_intent(intent.id)
    stranger = await gateway.create_transfer(
        amount=1_200,
        currency="USD",
        destination=account,
        transfer_group="outside",
        source_transaction=charge,
        metadata={},
        idempotency_key="outside-transfer",
    )
    counts = [
        await db.scalar(select(func.count(m.id))) for m in (PayoutTransfer, PayoutReversal, PayoutCarry)
    ]
    caplog.set_level(logging.WARNING, logger="zhongcao.payouts")
    body, headers = connect_event("transfer.created", {"id": stranger.id, "object": "transfer"})
    answer = await anonymous.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "processed"
    stored = await db.scalar(select(PaymentEvent.status).where(PaymentEvent.type == "transfer.created"))
    assert stored == "processed"
    assert any(
        stranger.id in r.getMessage() and "no settlement run" in r.getMessage() for r in caplog.records
    )
    assert [
        await db.scalar(select(func.count(m.id))) for m in (PayoutTransfer, PayoutReversal, PayoutCarry)
    ] == counts


async def _complete_onboarding(client: Client) -> None:
    """Open a fresh onboarding link (the account exists already) and submit its page."""
    opened = await client.post("/api/v1/payouts/account", json={"country": "US"})
    assert opened.status_code == 201, opened.text
    async with httpx.AsyncClient() as browser:
        done = await browser.post(opened.json()["onboarding_url"], follow_redirects=False)
    assert done.status_code == 303
    assert (await client.get("/api/v1/payouts/account")).json()["status"] == "enabled"


async def test_onboarding_abandoned_halfway_keeps_the_money_owed_until_it_completes(
    app: Litestar, merchant: Client, creator: Client, shopper: Client, clock: ModuleType, db: AsyncSession
) -> None:
    await onboard(merchant)
    opened = await creator.post("/api/v1/payouts/account", json={"country": "US"})
    assert opened.status_code == 201, opened.text
    async with httpx.AsyncClient() as browser:  # the creator opens the page and leaves
        assert "Complete onboarding" in (await browser.get(opened.json()["onboarding_url"])).text
    orders = [await note_sale(merchant, creator, shopper, price=p, bps=1_000) for p in (10_000, 4_000)]
    for order in orders:
        await ship(merchant, order["id"])
    clock.advance(WINDOW)
    for _ in range(2):  # a later run does not send them either
        await settle(app)
    assert (await creator.get("/api/v1/payouts/account")).json()["status"] == "onboarding"
    waiting = await db.execute(
        select(PayoutTransfer.amount, PayoutTransfer.state)
        .where(PayoutTransfer.payee_id == creator.id)
        .order_by(PayoutTransfer.id)
    )
    assert waiting.all() == [(1_000, "planned"), (400, "planned")]
    assert [await transfers_of(app, o["id"]) for o in orders] == [{8_500: 0}, {3_400: 0}]  # the shop is paid
    assert (await creator.get("/api/v1/earnings")).json()["totals"]["in_transfer"] == 1_400

    await _complete_onboarding(creator)
    assert (await settle(app))["transfers sent"] == 2
    assert [await transfers_of(app, o["id"]) for o in orders] == [{1_000: 0, 8_500: 0}, {400: 0, 3_400: 0}]
    earnings = (await creator.get("/api/v1/earnings")).json()
    assert (earnings["totals"]["in_transfer"], earnings["totals"]["paid"]) == (0, 1_400)


async def test_a_payee_disabled_after_earning_waits_until_enabled_again(
    app: Litestar,
    stripe_sandbox: str,
    anonymous: Client,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    account = await onboard(merchant)
    await onboard(creator)
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, order["id"])
    await disable_payee(stripe_sandbox, account)
    body, headers = connect_event("account.updated", {"id": account, "object": "account"})
    answer = await anonymous.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    assert answer.json()["status"] == "processed", answer.text
    status = await db.scalar(select(PayoutAccount.status).where(PayoutAccount.user_id == merchant.id))
    assert status == "disabled"
    clock.advance(WINDOW)
    await settle(app)
    await settle(app)
    assert await transfers_of(app, order["id"]) == {1_000: 0}  # the creator is paid; the shop's waits
    state = await db.scalar(select(PayoutTransfer.state).where(PayoutTransfer.payee_id == merchant.id))
    assert state == "planned"
    settled = (await merchant.get("/api/v1/merchant/settlements")).json()["items"][0]
    assert settled["state"] == "planned"

    await _complete_onboarding(merchant)
    await settle(app)
    assert await transfers_of(app, order["id"]) == {1_000: 0, 8_500: 0}


async def test_a_self_referral_earns_nothing_and_the_shop_gets_the_full_net(
    app: Litestar, merchant: Client, creator: Client, clock: ModuleType, db: AsyncSession
) -> None:
    account = await onboard(merchant)
    await onboard(creator)
    order = await note_sale(merchant, creator, creator, price=10_000, bps=2_000)  # through their own note
    assert order["lines"][0]["attribution"] is None
    await ship(merchant, order["id"])
    clock.advance(WINDOW)
    await settle(app)
    transfers = await gateway_of(app).list_transfers(f"order_{order['id']}")
    assert [(t.destination, t.amount) for t in transfers] == [(account, 9_500)]  # 10000 less the 5% fee
    assert await db.scalar(select(func.count(Commission.id)).where(Commission.order_id == order["id"])) == 0
    earnings = (await creator.get("/api/v1/earnings")).json()
    assert earnings["lines"] == []
    assert set(earnings["totals"].values()) == {0}


@pytest.mark.parametrize(
    ("currency", "price", "quantity", "bps", "refunded", "paid", "taken_back"),
    [
        # 3 x ¥1,999 = ¥5,997 at 12.34%: commission 740, fee 299, shop 4958; after ¥1,000 back:
        # 616, 249, 4132, so the creator returns 124 and the shop 826
        ("JPY", 1_999, 3, 1_234, 1_000, (740, 4_958), (124, 826)),
        # 12.345 KWD at 7.77%: commission 0.959, fee 0.617, shop 10.769; after 1.001 KWD back:
        # 0.881, 0.567, 9.896, so the creator returns 0.078 and the shop 0.873
        ("KWD", 12_345, 1, 777, 1_001, (959, 10_769), (78, 873)),
    ],
)
async def test_zero_and_three_decimal_currencies_are_paid_in_their_minor_units(
    app: Litestar,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    currency: str,
    price: int,
    quantity: int,
    bps: int,
    refunded: int,
    paid: tuple[int, int],
    taken_back: tuple[int, int],
) -> None:
    for payee in (merchant, creator):
        await onboard(payee)
    variant = {"sku": f"{currency}-1", "name": "One", "price": {"amount": price, "currency": currency}}
    product = await make_product(
        merchant, f"{currency} Serum", variants=[{**variant, "stock_on_hand": 9}], open_bps=bps
    )
    note = await make_note(creator, [product["id"]])
    await add_address(shopper)
    line = {
        "variant_id": product["variants"][0]["id"],
        "quantity": quantity,
        "source": {"type": "note", "id": note["id"]},
    }
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
    order = (
        await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    ).json()
    assert (order["status"], order["total"]) == ("paid", {"amount": price * quantity, "currency": currency})
    await ship(merchant, order_id)
    clock.advance(WINDOW)
    await settle(app)
    transfers = await gateway_of(app).list_transfers(f"order_{order_id}")
    assert sorted((t.currency, t.amount) for t in transfers) == [(currency, paid[0]), (currency, paid[1])]
    earnings = (await creator.get(f"/api/v1/earnings?currency={currency}")).json()
    assert (earnings["currency"], earnings["totals"]["paid"]) == (currency, paid[0])

    await refund(merchant, order_id, refunded)
    await settle(app)
    assert await transfers_of(app, order_id) == {paid[0]: taken_back[0], paid[1]: taken_back[1]}
    settled = (await merchant.get("/api/v1/merchant/settlements")).json()["items"][0]
    assert settled["net"] == {"amount": paid[1] - taken_back[1], "currency": currency}
