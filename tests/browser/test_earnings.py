"""A creator watches a commission move: pending ("waiting for the parcel"), "payable on <date>" once
shipped, payable when the return window has passed, then paid with its transfer, as the clock
moves. The CSV the page offers adds up to the totals it shows.

The session `server` runs in a process of its own, whose clock a test cannot move; this test opens
the in-process app over HTTP instead (`served`, on this loop), so `clock.advance` moves its time.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from types import ModuleType

from litestar import Litestar
from playwright.async_api import Browser, Page, expect

from payments.gateway import StripeGateway
from shop.core.money import format_money
from shop.payouts.jobs import run_settlement
from tests.browser.test_deals import DESKTOP, PHONE
from tests.browser.test_shopper_path import SCREENSHOTS
from tests.helpers import PASSWORD, Client
from tests.integration.earning_helpers import note_sale, onboard, ship

STATES = ("pending", "payable", "in_transfer", "paid")


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("body[data-signed-in]")).to_have_count(1)


def _day(moment: datetime) -> str:
    return moment.strftime("%-d %b")


async def _line_shows(page: Page, line_id: int, state: str, next_move: str) -> None:
    await page.reload()
    line = page.locator(f'[data-line="{line_id}"]')
    await expect(line).to_have_attribute("data-state", state)
    await expect(line.locator("[data-next]")).to_have_text(next_move)


async def _payable_at(creator: Client, line_id: int) -> datetime:
    lines = (await creator.get("/api/v1/earnings")).json()["lines"]
    found = next(line for line in lines if line["order_line_id"] == line_id)
    return datetime.fromisoformat(found["payable_at"])


async def _csv_matches_cards(page: Page) -> list[dict[str, str]]:
    """Download the page's CSV (with the page's cookies) and add its amounts up per state."""
    async with page.expect_download() as waiting:
        await page.locator("[data-csv]").click()
    download = await waiting.value
    path = await download.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    for state in STATES:
        card = page.locator(f'[data-total="{state}"]')
        summed = sum(int(row["amount"]) for row in rows if row["state"] == state)
        await expect(card).to_have_attribute("data-amount", str(summed))
        await expect(card.locator(".money-card-amount")).to_have_text(format_money(summed, "USD"))
    return rows


async def test_earnings_move_from_pending_to_paid_as_the_clock_moves(
    app: Litestar,
    served: str,
    browser: Browser,
    merchant: Client,
    creator: Client,
    shopper: Client,
    clock: ModuleType,
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    account = await onboard(creator)
    await onboard(merchant)
    order = await note_sale(merchant, creator, shopper, price=12_900, bps=1_500, name="Dew Serum 30 ml")
    line_id = order["lines"][0]["id"]
    waiting = await note_sale(merchant, creator, shopper, price=4_500, bps=1_000, name="Glow Mist")

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await _sign_in(page, served, creator.me["email"])
    await page.goto(f"{served}/studio")
    await page.locator("[data-earnings-link]").tap()
    await expect(page.locator("[data-payouts-on]")).to_contain_text(account)
    await _line_shows(page, line_id, "pending", "waiting for the parcel")
    await expect(page.locator('[data-total="pending"] .money-card-amount')).to_have_text("$23.85")

    before = clock.now()
    await ship(merchant, order["id"])
    payable_at = await _payable_at(creator, line_id)
    assert before + timedelta(days=7) <= payable_at <= clock.now() + timedelta(days=7)
    await _line_shows(page, line_id, "pending", f"payable on {_day(payable_at)}")

    clock.advance(timedelta(days=8))
    await _line_shows(page, line_id, "payable", "in the next payout")
    await expect(page.locator('[data-total="payable"] .money-card-amount')).to_have_text("$19.35")

    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    await run_settlement(app.state.sessions, gateway, fee_bps=500, window_days=7)
    await _line_shows(page, line_id, "paid", f"paid {_day(clock.now())}")
    transfer = page.locator(f'[data-line="{line_id}"] [data-transfer]')
    await expect(transfer).to_have_text(re.compile(r"^tr_\w+$"))
    await expect(page.locator(f'[data-line="{waiting["lines"][0]["id"]}"]')).to_have_attribute(
        "data-state", "pending"
    )
    await expect(page.locator('[data-total="paid"] .money-card-amount')).to_have_text("$19.35")
    await expect(page.locator("[data-segment]")).to_have_count(2)

    rows = await _csv_matches_cards(page)
    assert sorted(row["state"] for row in rows) == ["paid", "pending"]
    paid_row = next(row for row in rows if row["state"] == "paid")
    assert paid_row["transfer_id"] == await transfer.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "earnings.png"), full_page=True)
    await context.close()
    await _settlements_screenshot(browser, served, merchant, order["id"])


async def _settlements_screenshot(browser: Browser, base: str, merchant: Client, order_id: int) -> None:
    context = await browser.new_context(**DESKTOP)
    page = await context.new_page()
    await _sign_in(page, base, merchant.me["email"])
    await page.goto(f"{base}/merchant/orders")
    await page.locator("[data-settlements-link]").click()
    row = page.locator(f'tr[data-order="{order_id}"]')
    await expect(row).to_have_attribute("data-state", "sent")
    # 12900 - 15% commission (1935) - 5% fee (645)
    await expect(row.locator("[data-net]")).to_have_text("$103.20")
    await expect(row.locator("[data-transfer]")).to_contain_text("tr_")
    # and the unshipped order, not settled yet: 4500 - 450 - 225
    await expect(page.locator('tr[data-state="unsettled"] [data-net]')).to_have_text("$38.25")
    await expect(page.locator('[data-totals="USD"] [data-net]')).to_have_text("$141.45")
    await page.screenshot(path=str(SCREENSHOTS / "settlements.png"), full_page=True)
    await context.close()
