"""Books that prove themselves: `python -m shop audit` and /operator/books on real activity (orders
paid, refunded before and after payout, shipped, settled, a reversal refused, a flash sale), then on
a database a test corrupts on purpose, one check at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from types import ModuleType
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import StripeGateway
from shop.audit.checks import CHECKS, Finding, run_all
from shop.audit.findings import snapshot
from shop.demo import seed as demo
from shop.demo.orders import seed_orders
from shop.payouts.jobs import run_settlement
from shop.settings import Settings
from tests.helpers import ROOT, Client, add_address, free_port, make_note, make_product
from tests.integration.earning_helpers import onboard, refund, ship
from tests.live_helpers import hold_and_checkout, launch_sale, live_room

CLEAN = [0, 0, 0, 0, 0]


async def _settle(app: Litestar) -> dict[str, int]:
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    return await run_settlement(app.state.sessions, gateway, fee_bps=500, window_days=7)


async def _audit(app: Litestar) -> list[Finding]:
    async with snapshot(app.state.sessions) as db:
        return await run_all(db, 500)


async def _buy(shopper: Client, lines: list[dict[str, Any]]) -> dict[str, Any]:
    for line in lines:
        added = await shopper.post("/api/v1/cart/lines", json=line)
        assert added.status_code == 201, added.text
    order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return dict(paid.json())


def _line(product: dict[str, Any], note: dict[str, Any] | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"variant_id": product["variants"][0]["id"], "quantity": 1}
    if note is not None:
        line["source"] = {"type": "note", "id": note["id"]}
    return line


async def _set_balance(stripe_sandbox: str, account_id: str, available: int) -> None:
    """The local Stripe server's test hook: the payee has spent what they were paid."""
    async with httpx.AsyncClient(base_url=stripe_sandbox) as api:
        answer = await api.post(f"/_connect/accounts/{account_id}/balance", data={"available": available})
        assert answer.status_code == 200, answer.text


async def _activity(
    app: Litestar,
    clients: dict[str, Client],
    clock: ModuleType,
    stripe_sandbox: str,
) -> dict[str, Any]:
    """Two shops and a creator paid from one order, a refund after the payout reversed pro rata, a
    second refund whose reversal is refused (a debt), an order refunded in full before shipping,
    and a flash sale with a sold hold and a live one."""
    merchant, other, creator, shopper = (clients[k] for k in ("merchant", "other", "creator", "shopper"))
    accounts = {name: await onboard(clients[name]) for name in ("merchant", "other", "creator")}
    tag = uuid.uuid4().hex[:6]
    serum = await make_product(
        merchant, "Audit Serum", price=8_000, stock=20, open_bps=1_000, sku=f"AS-{tag}"
    )
    tote = await make_product(other, "Audit Tote", price=3_000, stock=20, sku=f"AT-{tag}")
    note = await make_note(creator, [serum["id"]], title="Serum and tote")
    await add_address(shopper)
    order = await _buy(shopper, [_line(serum, note), _line(tote)])
    returned = await _buy(shopper, [_line(serum, note)])
    await refund(merchant, returned["id"])  # in full before it ships: the commission is reversed
    await ship(merchant, order["id"])
    await ship(other, order["id"])
    clock.advance(timedelta(days=8))
    assert (await _settle(app))["transfers sent"] == 3
    await refund(merchant, order["id"], 4_000)  # half the serum after the payout
    assert (await _settle(app))["reversals sent"] == 2
    await _set_balance(stripe_sandbox, accounts["other"], 0)
    await refund(other, order["id"])  # the tote in full; its shop has spent the transfer
    assert (await _settle(app))["reversals sent"] == 0
    room = await live_room(clients["host"], clients["brand"])
    sale = await launch_sale(clients["host"], room, quantity=5, limit=2)
    bought = await hold_and_checkout(shopper, sale["id"], 2)
    paid = await shopper.post(
        f"/api/v1/orders/{bought['order_id']}/pay", json={"payment_method": "pm_card_visa"}
    )
    assert paid.json()["status"] == "paid", paid.text
    await hold_and_checkout(other, sale["id"], 1)  # held, not paid
    return {"order": order, "returned": returned, "serum": serum, "tote": tote, "sale": sale}


@pytest.fixture
async def activity(
    app: Litestar,
    merchant: Client,
    other_merchant: Client,
    creator: Client,
    shopper: Client,
    anonymous: Client,
    third_client: Client,
    clock: ModuleType,
    stripe_sandbox: str,
) -> dict[str, Any]:
    """The books after `_activity`; the anonymous and third browsers become the room's brand and host."""
    clients = {
        "merchant": merchant,
        "other": other_merchant,
        "creator": creator,
        "shopper": shopper,
        "host": third_client,
        "brand": anonymous,
    }
    return await _activity(app, clients, clock, stripe_sandbox)


@pytest.mark.corrupts_books  # it ends on a corrupted row, to show the red page
async def test_real_activity_passes_and_the_operator_sees_the_books(
    app: Litestar, db: AsyncSession, activity: dict[str, Any], other_merchant: Client, operator: Client
) -> None:
    made = activity
    findings = await _audit(app)
    assert [f.check for f in findings] == [
        "I1 stock ledger balances",
        "I2 flash-sale books",
        "I3 payments match orders",
        "I4 charges cover transfers",
        "I5 commissions match lines",
    ]
    assert [(f.violations, f.detail) for f in findings] == [(0, "")] * 5
    assert len(CHECKS) == 5

    books = (await operator.get("/api/v1/operator/books")).json()
    assert books["ok"] is True
    assert [(f["code"], f["violations"], f["ok"]) for f in books["findings"]] == [
        (f"I{n}", 0, True) for n in range(1, 6)
    ]
    # Fees fixed on the sent merchant transfers: 400 (serum 8000) + 150 (tote 3000); refunds took
    # back 200 (half the serum) + 150 (all the tote): 200 is kept.
    assert books["fee_income"] == [
        {
            "currency": "USD",
            "charged": {"amount": 550, "currency": "USD"},
            "taken_back": {"amount": 350, "currency": "USD"},
            "kept": {"amount": 200, "currency": "USD"},
        }
    ]
    assert books["transfers"] == {"planned": 0, "sending": 0, "sent": 3, "refused": 0, "failed": 0}
    assert books["reversals"] == {"planned": 0, "sending": 0, "sent": 2, "refused": 1}
    assert books["debts"] == [
        {
            "payee": {"id": other_merchant.id, "display_name": other_merchant.me["display_name"]},
            "owed": {"amount": 2_850, "currency": "USD"},
        }
    ]
    page = await operator.get("/operator/books")
    assert page.status_code == 200
    assert 'data-books-ok="true"' in page.text
    assert page.text.count('data-violations="0"') == 5
    assert 'href="/operator/books" class="active"' in page.text
    assert f'data-payee="{other_merchant.id}"' in page.text
    assert "$28.50" in page.text
    assert 'data-kept="200"' in page.text
    assert '<div data-state="refused"><dt>Refused</dt><dd><span class="books-number">1</span>' in page.text
    disputes = await operator.get("/operator/disputes")
    assert 'href="/operator/books"' in disputes.text  # the tab is on every operator page

    variant_id = made["tote"]["variants"][0]["id"]
    await db.execute(text("UPDATE variants SET stock_on_hand = 0 WHERE id = :v"), {"v": variant_id})
    await db.commit()
    red = await operator.get("/operator/books")
    assert 'data-books-ok="false"' in red.text
    assert 'data-check="I1" data-violations="1"' in red.text
    assert f"variants {variant_id}" in red.text
    assert (await operator.get("/api/v1/operator/books")).json()["findings"][0]["detail"] == (
        f"variants {variant_id}"
    )


async def test_only_operators_read_the_books(merchant: Client, shopper: Client, anonymous: Client) -> None:
    assert (await merchant.get("/api/v1/operator/books")).status_code == 403
    assert (await shopper.get("/operator/books")).status_code == 403
    assert (await anonymous.get("/api/v1/operator/books")).status_code == 401


# What a test does to the books, how it puts them back, the check (I1 = 0 … I5 = 4) that must
# catch it, and the offender that check must name. Params: the scenario's ids (`_ids`).
CORRUPTIONS = [
    (
        "UPDATE variants SET stock_on_hand = stock_on_hand + 1 WHERE id = :variant",
        "UPDATE variants SET stock_on_hand = stock_on_hand - 1 WHERE id = :variant",
        0,
        "variants {variant}",
    ),
    (  # a balance that does not chain from the movement before it
        "UPDATE stock_movements SET balance_after = balance_after + 5 WHERE id = :movement",
        "UPDATE stock_movements SET balance_after = balance_after - 5 WHERE id = :movement",
        0,
        "variants {variant}",
    ),
    (  # 2 sold + 1 held of 5: a quantity of 2 is oversold
        "UPDATE flash_sales SET quantity = 2 WHERE id = :sale",
        "UPDATE flash_sales SET quantity = 5 WHERE id = :sale",
        1,
        "sales {sale}",
    ),
    (  # the buyer of 2 is over a limit of 1
        "UPDATE flash_sales SET per_customer_limit = 1 WHERE id = :sale",
        "UPDATE flash_sales SET per_customer_limit = 2 WHERE id = :sale",
        1,
        "sales {sale}",
    ),
    (
        "INSERT INTO payment_attempts (order_id, number, idempotency_key, amount, currency, status,"
        " failures, created_at, updated_at) SELECT order_id, 99, 'audit-second', amount, currency,"
        " 'succeeded', 0, created_at, updated_at FROM payment_attempts"
        " WHERE order_id = :order AND status = 'succeeded'",
        "DELETE FROM payment_attempts WHERE idempotency_key = 'audit-second'",
        2,
        "orders {order}",
    ),
    (  # a refund neither the refunds nor the lines explain
        "UPDATE orders SET refunded_amount = refunded_amount + 1 WHERE id = :order",
        "UPDATE orders SET refunded_amount = refunded_amount - 1 WHERE id = :order",
        2,
        "orders {order}",
    ),
    (  # one unit more sent from the charge than it can cover
        "INSERT INTO payout_transfers (payee_id, role, order_id, merchant_id, amount, currency,"
        " platform_fee, netted, transfer_group, idempotency_key, state, failures, created_at, updated_at)"
        " SELECT payee_id, role, order_id, merchant_id, 1, currency, 0, 0, transfer_group,"
        " 'audit-extra', 'sent', 0, created_at, updated_at FROM payout_transfers WHERE id = :transfer",
        "DELETE FROM payout_transfers WHERE idempotency_key = 'audit-extra'",
        3,
        "orders {order}",
    ),
    (
        "INSERT INTO commission_entries (commission_id, kind, amount, created_at, updated_at)"
        " SELECT id, 'adjust', 1, created_at, updated_at FROM commissions WHERE id = :commission",
        "DELETE FROM commission_entries WHERE commission_id = :commission AND kind = 'adjust'",
        4,
        "commissions {commission}",
    ),
    (  # the clawback the half refund after the payout wrote, deleted
        "DELETE FROM commission_entries WHERE id = :entry",
        "INSERT INTO commission_entries (id, commission_id, kind, amount, refund_id, created_at, updated_at)"
        " VALUES (:entry, :commission, 'clawback', :entry_amount, :entry_refund, :entry_created,"
        " :entry_updated)",
        4,
        "commissions {commission}",
    ),
    (  # two accrues on one commission
        "UPDATE commission_entries SET kind = 'accrue' WHERE id = :entry",
        "UPDATE commission_entries SET kind = 'clawback' WHERE id = :entry",
        4,
        "commissions {commission}",
    ),
    (  # the line now credits someone else
        "UPDATE order_lines SET creator_id = :shopper WHERE id = :serum_line",
        "UPDATE order_lines SET creator_id = :creator WHERE id = :serum_line",
        4,
        "commissions {commission}",
    ),
    (  # an attributed line with a rate, and no commission
        "UPDATE order_lines SET creator_id = :creator, commission_bps = 1000 WHERE id = :tote_line",
        "UPDATE order_lines SET creator_id = NULL, commission_bps = NULL WHERE id = :tote_line",
        4,
        "lines {tote_line}",
    ),
]


async def _ids(db: AsyncSession, made: dict[str, Any], shopper: Client, creator: Client) -> dict[str, Any]:
    ids: dict[str, Any] = {
        "order": made["order"]["id"],
        "variant": made["serum"]["variants"][0]["id"],
        "sale": made["sale"]["id"],
        "shopper": shopper.id,
        "creator": creator.id,
    }
    queries = {
        "movement": "SELECT MIN(id) FROM stock_movements WHERE variant_id = :variant",
        "transfer": "SELECT MIN(id) FROM payout_transfers WHERE order_id = :order AND role = 'merchant'",
        "commission": "SELECT id FROM commissions WHERE order_id = :order",
        "serum_line": "SELECT order_line_id FROM commissions WHERE order_id = :order",
        "tote_line": "SELECT id FROM order_lines WHERE order_id = :order AND creator_id IS NULL",
    }
    for name, sql in queries.items():
        ids[name] = (await db.execute(text(sql), ids)).scalar_one()
    entry = await db.execute(
        text(
            "SELECT id, amount, refund_id, created_at, updated_at FROM commission_entries"
            " WHERE commission_id = :commission AND kind = 'clawback'"
        ),
        ids,
    )
    ids["entry"], ids["entry_amount"], ids["entry_refund"], ids["entry_created"], ids["entry_updated"] = (
        entry.one()
    )
    return ids


def _counts(findings: list[Finding]) -> list[int]:
    return [f.violations for f in findings]


async def test_each_check_catches_its_own_corruption(
    app: Litestar, db: AsyncSession, activity: dict[str, Any], shopper: Client, creator: Client
) -> None:
    ids = await _ids(db, activity, shopper, creator)
    assert ids["entry_amount"] == -400  # the creator's 800 clawed back to 400 by the half refund
    assert _counts(await _audit(app)) == CLEAN
    for corrupt, undo, check, offender in CORRUPTIONS:
        await db.execute(text(corrupt), ids)
        await db.commit()
        found = await _audit(app)
        await db.execute(text(undo), ids)
        await db.commit()
        assert _counts(found) == [int(i == check) for i in range(5)], corrupt
        assert found[check].detail == offender.format(**ids), corrupt
    assert _counts(await _audit(app)) == CLEAN  # every corruption was undone


def _command(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.db_url, "VAR_DIR": str(settings.var_dir)}
    return subprocess.run(
        [sys.executable, "-m", "shop", "audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.corrupts_books  # it ends on the corrupted database the command reports
async def test_the_command_exits_0_on_clean_books_and_1_on_corrupted_ones(
    db: AsyncSession, settings: Settings, merchant: Client, shopper: Client
) -> None:
    product = await make_product(
        merchant, "Audit Balm", price=1_500, stock=4, sku=f"AB-{uuid.uuid4().hex[:6]}"
    )
    await add_address(shopper)
    await _buy(shopper, [_line(product)])
    clean = _command(settings)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    lines = clean.stdout.splitlines()
    assert lines[1:] == [
        "I1 stock ledger balances: 0 violations",
        "I2 flash-sale books: 0 violations",
        "I3 payments match orders: 0 violations",
        "I4 charges cover transfers: 0 violations",
        "I5 commissions match lines: 0 violations",
        "audit: all 5 checks pass",
    ]
    variant_id = product["variants"][0]["id"]
    await db.execute(
        text("UPDATE variants SET stock_on_hand = stock_on_hand + 1 WHERE id = :v"), {"v": variant_id}
    )
    await db.commit()
    broken = _command(settings)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"I1 stock ledger balances: 1 violation (variants {variant_id})" in broken.stdout
    assert "I3 payments match orders: 0 violations" in broken.stdout
    assert broken.stdout.splitlines()[-1] == "audit: 1 of 5 checks failed (1 violations in all)"


async def _count(db: AsyncSession, sql: str) -> int:
    return int((await db.execute(text(sql))).scalar_one())


async def test_the_demo_data_passes_the_audit(db: AsyncSession, settings: Settings) -> None:
    # Without the notes (drawing them is slow): the stock, the rooms and their sales are all here,
    # and the month of orders, paid on the local Stripe server the fixture runs.
    await demo.seed(settings, with_notes=False)
    assert await _count(db, "SELECT COUNT(*) FROM flash_sales") >= 1
    assert 40 <= await _count(db, "SELECT COUNT(*) FROM orders") <= 48
    assert await _count(db, "SELECT COUNT(*) FROM orders WHERE paid_at IS NULL") == 0
    statuses = dict((await db.execute(text("SELECT status, COUNT(*) FROM orders GROUP BY status"))).all())
    assert (statuses["refunded"], statuses["partially_refunded"]) == (1, 2)
    assert statuses["fulfilled"] > 30
    assert statuses["paid"] >= 1  # the last day's orders wait to be shipped
    assert await _count(db, "SELECT COUNT(*) FROM refunds WHERE status = 'succeeded'") == 3
    assert await _count(db, "SELECT COUNT(*) FROM commissions") >= 1  # bought from creators' rooms
    assert await _count(db, "SELECT COUNT(*) FROM engagement_daily") >= 1
    result = _command(settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "audit: all 5 checks pass"


async def test_without_a_stripe_server_the_demo_buys_nothing(db: AsyncSession, settings: Settings) -> None:
    # `python -m shop seed` run alone: the orders step says why in one line and the seed goes on.
    nobody = f"http://127.0.0.1:{free_port()}"
    said: list[str] = []
    alone = settings.model_copy(update={"stripe_api_base": nobody})
    assert await seed_orders(db, alone, said.append) == 0
    assert said == [f"orders skipped: no local Stripe server at {nobody} (scripts/demo starts one)"]
    assert await _count(db, "SELECT COUNT(*) FROM orders") == 0
