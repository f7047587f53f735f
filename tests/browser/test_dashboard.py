"""The merchant dashboard in the browser: charts and tables, then a day's work on orders and stock.

Two orders are bought first through the API (a shopper of the demo, paying with 4242 on the local
Stripe server). The merchant then filters the orders, ships one, refunds the other in part,
adjusts a variant's stock with a reason, and downloads the orders CSV.
"""

from __future__ import annotations

import csv
import io
import re

import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in
from tests.helpers import Client

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


async def _shopper_buys_twice(server: str) -> list[int]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as raw:
        shopper = Client(raw)
        signed = await shopper.post(
            "/api/v1/auth/login", json={"email": "shopper@demo.test", "password": "zhongcao-demo"}
        )
        assert signed.status_code == 200, signed.text
        products = (await raw.get("/api/v1/products", params={"limit": 50})).json()["items"]
        mine = [p for p in products if p["merchant"]["name"] == "Glow Lab"][:2]
        orders = []
        for product in mine:
            detail = (await raw.get(f"/api/v1/products/{product['id']}")).json()
            variant = next(v for v in detail["variants"] if v["available"] > 1)
            added = await shopper.post(
                "/api/v1/cart/lines", json={"variant_id": variant["id"], "quantity": 1}
            )
            assert added.status_code == 201, added.text
            order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
            paid = await shopper.post(
                f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"}
            )
            assert paid.json()["status"] == "paid", paid.text
            orders.append(order_id)
        return orders


async def _charts_and_tables(page: Page, server: str) -> None:
    await page.goto(f"{server}/dashboard?period=30d")
    await expect(page.locator("[data-cards] [data-card='gmv'] .figure")).not_to_have_text("$0.00")
    await expect(page.locator("#gmv-chart")).to_have_attribute("data-drawn", "3")
    await expect(page.locator("[data-gmv-table] tbody tr")).to_have_count(3)
    await expect(page.locator("[data-top='creators']")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "dashboard-home.png"), full_page=True)


async def _ship_and_refund(page: Page, server: str, orders: list[int]) -> None:
    await page.goto(f"{server}/dashboard/orders")
    await page.select_option("select[name=shipped]", "no")
    await page.click("[data-order-filters] button[type=submit]")
    await expect(page).to_have_url(re.compile(r"shipped=no"))
    for order_id in orders:
        await expect(page.locator(f'[data-order-id="{order_id}"]')).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "dashboard-orders.png"), full_page=True)
    await page.click(f'[data-order-id="{orders[0]}"] a')
    await page.fill("[data-fulfil-form] input[name=tracking_number]", "SF1234567890")
    await page.fill("[data-fulfil-form] input[name=carrier]", "SF Express")
    await page.click("[data-fulfil-form] button[type=submit]")
    await expect(page.locator("[data-shipments]")).to_contain_text("SF1234567890")
    await page.goto(f"{server}/merchant/orders/{orders[1]}")
    await page.fill(".refund-form input[name=amount]", "1.00")
    await page.fill(".refund-form input[name=reason]", "A dented box")
    await page.click(".refund-form button[type=submit]")
    await expect(page.locator("body")).to_contain_text("A dented box")


async def _adjust_stock(page: Page, server: str) -> None:
    await page.goto(f"{server}/dashboard/products")
    await page.locator("[data-stock-link]").first.click()
    await page.locator("[data-adjust-open]").first.click()
    form = page.locator("[data-adjust-stock]").first
    await form.locator("[data-adjust-mode='delta']").check()
    await form.locator("[data-adjust-quantity]").fill("5")
    await form.locator("[data-adjust-reason]").select_option("restock")
    await form.locator("[data-adjust-note]").fill("Weekly delivery")
    await form.locator("[data-adjust-submit]").click()
    await expect(page.locator("body")).to_contain_text("Weekly delivery")


async def _export(page: Page, server: str, orders: list[int]) -> None:
    await page.goto(f"{server}/dashboard/orders")
    async with page.expect_download() as download:
        await page.click("[data-export='orders']")
    rows = list(csv.DictReader(io.StringIO((await (await download.value).path()).read_text())))  # type: ignore[union-attr]
    exported = {int(r["order_id"]): r for r in rows}
    assert set(orders) <= set(exported)
    assert int(exported[orders[1]]["refunded"]) == 100
    assert exported[orders[0]]["shipped"] in ("yes", "no")


async def test_a_merchant_runs_the_shop_from_the_dashboard(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    orders = await _shopper_buys_twice(server)
    context = await browser.new_context(**DESKTOP, accept_downloads=True)
    page = await context.new_page()
    await _sign_in(page, server, "merchant@demo.test")
    await _charts_and_tables(page, server)
    await _ship_and_refund(page, server, orders)
    await _adjust_stock(page, server)
    await _export(page, server, orders)
    await context.close()
