"""Settlement with separate charges and transfers, against the local Stripe server."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

from litestar import Litestar

from payments.gateway import StripeGateway
from shop.payouts.jobs import run_settlement
from tests.helpers import Client
from tests.integration.earning_helpers import onboard, refund, ship, two_shop_sale


async def _settle(app: Litestar) -> dict[str, int]:
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    return await run_settlement(app.state.sessions, gateway, fee_bps=500, window_days=7)


async def _transfers(app: Litestar, group: str, accounts: set[str]) -> list[Any]:
    """The group's transfers to this test's payees: the local Stripe server lives for the whole run,
    and ids start again after each test's wipe, so `order_1` may hold an earlier test's transfers."""
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    return [t for t in await gateway.list_transfers(group) if t.destination in accounts]


async def test_two_shops_and_a_creator_are_paid_once_and_reversed_pro_rata(
    app: Litestar,
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
) -> None:
    accounts = {await onboard(payee) for payee in (merchant, other_merchant, creator)}
    order = await two_shop_sale(merchant, other_merchant, creator, shopper)
    await ship(merchant, order["id"])
    await ship(other_merchant, order["id"])
    assert (await _settle(app))["transfers planned"] == 0  # the return window is still open
    clock.advance(timedelta(days=8))
    counts = await _settle(app)
    assert counts["transfers sent"] == 3
    transfers = await _transfers(app, f"order_{order['id']}", accounts)
    assert len(transfers) == 3
    by_amount = sorted(t.amount for t in transfers)
    # serum 8000: 10% to the creator (800), fee 5% (400) → 6800; tote 3000 - fee 150 → 2850
    assert by_amount == [800, 2_850, 6_800]
    assert sum(by_amount) <= order["total"]["amount"] == 11_000
    again = await _settle(app)
    assert again["transfers sent"] == 0  # nobody is paid twice

    await refund(merchant, order["id"], 4_000)  # half the serum line
    counts = await _settle(app)
    assert counts["reversals sent"] == 2
    after = {t.amount: t.amount_reversed for t in await _transfers(app, f"order_{order['id']}", accounts)}
    assert after == {800: 400, 2_850: 0, 6_800: 3_400}  # the creator's and the serum shop's, pro rata
    earnings = (await creator.get("/api/v1/earnings")).json()
    assert earnings["totals"]["paid"] == 400
    assert [line["state"] for line in earnings["lines"]] == ["paid"]
    settled = (await merchant.get("/api/v1/merchant/settlements")).json()["items"][0]
    assert (settled["gross"]["amount"], settled["refunded"]["amount"], settled["net"]["amount"]) == (
        8_000,
        4_000,
        3_400,
    )
    assert settled["state"] == "sent"
    assert settled["transfer_id"]


async def test_a_published_deals_fee_is_transferred_to_its_creator_once(
    app: Litestar, merchant: Client, creator: Client
) -> None:
    from tests.integration.deal_helpers import active_deal, submitted_note

    account = await onboard(creator)
    deal = await active_deal(merchant, creator, fee=12_000)
    await submitted_note(creator, deal)
    approved = await merchant.post(f"/api/v1/deals/{deal['id']}/approve")
    assert approved.json()["status"] == "published"
    counts = await _settle(app)
    assert counts["fees planned"] == 1
    assert counts["transfers sent"] == 1
    transfers = await _transfers(app, f"offer_{deal['offer_id']}", {account})
    assert [t.amount for t in transfers] == [12_000]
    assert (await _settle(app))["fees planned"] == 0


async def test_a_split_dispute_pays_the_creator_their_share_of_the_fee(
    app: Litestar, merchant: Client, creator: Client, operator: Client
) -> None:
    from tests.integration.deal_helpers import active_deal

    await onboard(creator)
    deal = await active_deal(merchant, creator, fee=10_000)
    await creator.post(f"/api/v1/deals/{deal['id']}/cancel", json={"reason": "Scope changed"})
    split = await operator.post(
        f"/api/v1/deals/{deal['id']}/settle", json={"outcome": "split", "creator_share_bps": 4000}
    )
    assert split.json()["fee"]["releasable"]["amount"] == 4_000
    counts = await _settle(app)
    assert counts["fees planned"] == 1
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    paid = [t for t in await gateway.list_transfers(f"offer_{deal['offer_id']}") if t.destination]
    assert sum(t.amount for t in paid if t.metadata.get("role") == "deal_fee") >= 4_000
    assert (await _settle(app))["fees planned"] == 0


async def test_a_debt_netted_from_an_order_that_is_refunded_is_owed_again(
    app: Litestar,
    merchant: Client,
    creator: Client,
    shopper: Client,
    stripe_sandbox: str,
    db: Any,
    clock: ModuleType,
) -> None:
    import httpx
    from sqlalchemy import func, select

    from shop.payouts.models import PayoutCarry
    from tests.integration.earning_helpers import note_sale

    account = await onboard(merchant)
    first = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000)
    await ship(merchant, first["id"])
    clock.advance(timedelta(days=8))
    assert (await _settle(app))["transfers sent"] >= 1
    async with httpx.AsyncClient(base_url=stripe_sandbox) as sandbox:
        await sandbox.post(f"/_connect/accounts/{account}/balance", data={"available": "0"})
    await refund(merchant, first["id"])
    await _settle(app)  # the reversal is refused: a debt

    async def owed() -> int:
        return int(await db.scalar(select(func.coalesce(func.sum(PayoutCarry.amount), 0))) or 0)

    debt = await owed()
    assert debt > 0
    second = await note_sale(merchant, creator, shopper, price=20_000, bps=1_000)
    await ship(merchant, second["id"])
    clock.advance(timedelta(days=8))
    await _settle(app)  # the debt is kept back from the second order's transfer
    assert await owed() == 0
    await refund(merchant, second["id"])
    await _settle(app)
    assert await owed() == debt  # the debt it had settled is owed again, not written off
