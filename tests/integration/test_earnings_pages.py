"""The money pages: /studio/earnings (creators) and /merchant/settlements (merchants), their payout
box and onboarding round trip through the local Stripe server, escaping and the CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import ModuleType
from urllib.parse import urlsplit

import httpx
from litestar import Litestar

from payments.gateway import StripeGateway
from shop.payouts.jobs import run_settlement
from tests.helpers import Client
from tests.integration.earning_helpers import note_sale, onboard, ship

XSS = "<img src=x onerror=alert(1)>Serum"
FORMULA = '=HYPERLINK("http://evil.test","Serum")'


async def test_each_page_is_for_its_payees(
    anonymous: Client, shopper: Client, merchant: Client, creator: Client
) -> None:
    for client in (shopper, merchant):
        assert (await client.get("/studio/earnings")).status_code == 403
        assert (await client.form("/studio/earnings/payouts", {"country": "US"})).status_code == 403
    for client in (shopper, creator):
        assert (await client.get("/merchant/settlements")).status_code == 403
        assert (await client.form("/merchant/settlements/payouts", {"country": "US"})).status_code == 403
    signed_out = await anonymous.get("/studio/earnings")
    assert signed_out.status_code in (302, 303)
    assert signed_out.headers["location"] == "/login?next=/studio/earnings"
    page = await creator.get("/studio/earnings")
    assert page.status_code == 200
    assert 'data-payout-account="none"' in page.text
    assert "Set up payouts" in page.text
    assert "No commissions yet." in page.text
    settlements = await merchant.get("/merchant/settlements")
    assert settlements.status_code == 200
    assert "No paid orders yet." in settlements.text


async def _follow_onboarding(client: Client, path: str) -> str:
    """Press the page's payouts button, complete the local server's onboarding; where it returns."""
    pressed = await client.form(f"{path}/payouts", {"country": "GB"})
    assert pressed.status_code == 303
    link = pressed.headers["location"]
    assert link.startswith("http://127.0.0.1:")
    assert (await client.get(path)).text.count("data-finish-onboarding") == 1
    async with httpx.AsyncClient() as stripe_page:
        assert "Complete onboarding" in (await stripe_page.get(link)).text
        done = await stripe_page.post(link, follow_redirects=False)
    assert done.status_code == 303
    return str(done.headers["location"])


async def test_set_up_payouts_goes_to_onboarding_and_back(creator: Client) -> None:
    back = await _follow_onboarding(creator, "/studio/earnings")
    assert back == "http://testserver.local/studio/earnings?onboarding=done"
    page = await creator.get(urlsplit(back).path + "?" + urlsplit(back).query)
    assert 'data-payout-account="enabled"' in page.text
    assert "Payouts are on" in page.text
    account = (await creator.get("/api/v1/payouts/account")).json()
    assert account["status"] == "enabled"
    assert f"<code>{account['account_id']}</code>" in page.text
    # Pressing again is not offered, and the account stays the one Stripe made.
    assert "data-setup-payouts" not in page.text
    assert "data-finish-onboarding" not in page.text


async def test_merchants_come_back_to_their_settlements(merchant: Client) -> None:
    back = await _follow_onboarding(merchant, "/merchant/settlements")
    assert back == "http://testserver.local/merchant/settlements?onboarding=done"
    page = await merchant.get("/merchant/settlements?onboarding=done")
    assert 'data-payout-account="enabled"' in page.text
    assert "Payouts are on" in page.text


async def test_an_expired_link_says_so_and_offers_a_fresh_one(creator: Client) -> None:
    pressed = await creator.form("/studio/earnings/payouts", {"country": "US"})
    assert pressed.status_code == 303
    page = await creator.get("/studio/earnings?onboarding=expired")
    assert "That onboarding link has expired" in page.text
    assert 'data-payout-account="onboarding"' in page.text
    again = await creator.form("/studio/earnings/payouts", {})
    assert again.status_code == 303
    assert again.headers["location"] != pressed.headers["location"]


async def test_the_form_refuses_an_unknown_country_and_a_missing_token(creator: Client) -> None:
    assert (await creator.form("/studio/earnings/payouts", {"country": "ZZ"})).status_code == 422
    assert (await creator.form("/studio/earnings/payouts", {"country": "US"}, csrf=False)).status_code == 403
    assert (await creator.get("/api/v1/payouts/account")).status_code == 404


async def test_product_names_are_escaped_on_both_pages(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    order = await note_sale(merchant, creator, shopper, price=4_000, bps=1_000, name=XSS)
    earnings = await creator.get("/studio/earnings")
    assert "&lt;img src=x onerror=alert(1)&gt;Serum" in earnings.text
    assert "<img src=x" not in earnings.text
    assert "waiting for the parcel" in earnings.text
    settlements = await merchant.get("/merchant/settlements")
    assert f'data-order="{order["id"]}"' in settlements.text
    assert "&lt;img src=x onerror=alert(1)&gt;Serum" in settlements.text
    assert "<img src=x" not in settlements.text


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_csv_cells_that_start_a_formula_are_neutralised(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    await note_sale(merchant, creator, shopper, price=4_000, bps=1_000, name=FORMULA)
    exported = await creator.get("/api/v1/earnings.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    (row,) = _rows(exported.text)
    assert row["product"] == "'" + FORMULA
    assert row["amount"] == "400"


async def _settle(app: Litestar) -> None:
    gateway: StripeGateway = app.dependencies["gateway"].dependency()
    await run_settlement(app.state.sessions, gateway, fee_bps=500, window_days=7)


async def test_settlements_page_rows_and_totals_match_its_csv(
    app: Litestar, merchant: Client, creator: Client, shopper: Client, clock: ModuleType
) -> None:
    await onboard(merchant)
    await onboard(creator)
    first = await note_sale(merchant, creator, shopper, price=8_000, bps=1_000)
    await ship(merchant, first["id"])
    clock.advance(timedelta(days=8))
    await _settle(app)
    page = (await merchant.get("/merchant/settlements")).text
    rows = _rows((await merchant.get("/api/v1/merchant/settlements.csv")).text)
    assert [row["state"] for row in rows] == ["sent"]
    # 8000 - 800 commission - 400 fee
    assert rows[0]["net"] == "6800"
    assert f'<code class="earning-transfer" data-transfer>{rows[0]["transfer_id"]}</code>' in page
    assert 'data-totals="USD"' in page
    assert 'data-net="6800"' in page
    assert "$68.00" in page
    assert "Sent" in page
    earnings = (await creator.get("/studio/earnings")).text
    assert "paid " in earnings
    assert 'data-total="paid" data-amount="800"' in earnings
