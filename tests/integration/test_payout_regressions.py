"""Payout bugs the state machine (test_payout_model.py) found, each replayed as a plain test against
the real app, database and local Stripe."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.payouts.models import PayoutCarry, PayoutTransfer
from tests.helpers import Client, add_address, make_note, make_product
from tests.integration.earning_helpers import onboard, refund, ship
from tests.integration.payout_helpers import (
    WINDOW_DAYS,
    audit_is_clean,
    fresh_sandbox,  # noqa: F401 (a fixture)
    gateway_of,
    set_balance,
    settle,
)

pytestmark = pytest.mark.usefixtures("fresh_sandbox")


async def _sale(merchant: Client, other_merchant: Client, creator: Client, shopper: Client) -> int:
    """The model's order: 3 x 3.24 through the creator's note at 32.29% (commission 313) and 1 x
    1.01 straight from the other shop. Charge 1073; the shops are owed 972 - 313 - 48 = 611 and
    101 - 5 = 96."""
    serum = await make_product(merchant, "Late Serum", price=324, stock=20, open_bps=3_229)
    tote = await make_product(other_merchant, "Late Tote", price=101, stock=20)
    note = await make_note(creator, [serum["id"]], title="Late onboarding")
    await add_address(shopper)
    through_note = {"type": "note", "id": note["id"]}
    lines: list[dict[str, Any]] = [
        {"variant_id": serum["variants"][0]["id"], "quantity": 3, "source": through_note},
        {"variant_id": tote["variants"][0]["id"], "quantity": 1},
    ]
    for line in lines:
        added = await shopper.post("/api/v1/cart/lines", json=line)
        assert added.status_code == 201, added.text
    order_id = int((await shopper.post("/api/v1/checkout", json={})).json()["order_id"])
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return order_id


async def test_a_creator_onboarding_after_a_refused_reversal_on_the_order_is_paid_in_full(
    app: Litestar,
    stripe_sandbox: str,
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
    db: AsyncSession,
) -> None:
    """The other shop's reversal is refused after its refund, so Stripe has 1073 - 58 - 611 - 96 =
    308 left of the charge when the late creator's 313 goes: it was refused for good (and would be
    again at every replan), and the creator was never paid. The platform advances it, as it did the
    refund, and recovers the other shop's 55 from its next transfer."""
    accounts = {payee.id: await onboard(payee) for payee in (merchant, other_merchant)}
    order_id = await _sale(merchant, other_merchant, creator, shopper)
    await ship(merchant, order_id)
    await ship(other_merchant, order_id)
    clock.advance(timedelta(days=WINDOW_DAYS + 1))
    assert (await settle(app))["transfers sent"] == 2  # the creator has no account yet: theirs waits

    await set_balance(stripe_sandbox, accounts[other_merchant.id], 0)  # they spent it
    await refund(other_merchant, order_id, 58)
    await settle(app)  # its 96 - 41 = 55 reversal is refused: owed
    debt = await db.scalars(select(PayoutCarry.amount).where(PayoutCarry.payee_id == other_merchant.id))
    assert list(debt.all()) == [55]

    await onboard(creator)
    assert (await settle(app))["transfers sent"] == 1
    sent = (
        await db.execute(
            select(PayoutTransfer.amount, PayoutTransfer.state).where(PayoutTransfer.payee_id == creator.id)
        )
    ).all()
    assert sent == [(313, "sent")]
    on_stripe = await gateway_of(app).list_transfers(f"order_{order_id}")
    assert sorted((t.amount, t.amount_reversed) for t in on_stripe) == [(96, 0), (313, 0), (611, 0)]
    earnings = (await creator.get("/api/v1/earnings")).json()["totals"]
    assert (earnings["in_transfer"], earnings["paid"]) == (0, 313)
    await audit_is_clean(db)
