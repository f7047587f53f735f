"""Orders that ship: a new address at checkout, the merchant's "Mark as shipped", the buyer's tracking."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.browser.addresses import fill_address
from tests.browser.test_checkout import _fill_card
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in


async def _api(page: Page, server: str, method: str, path: str, data: Any = None) -> Any:
    token = next(c["value"] for c in await page.context.cookies() if c["name"] == "csrftoken")
    response = await page.request.fetch(
        f"{server}{path}", method=method, data=data, headers={"X-CSRFToken": token}
    )
    assert response.ok, await response.text()
    return await response.json()


async def _cart_with_a_glow_lab_product(page: Page, server: str) -> str:
    """An empty cart, then one product of merchant@demo.test's shop (Glow Lab) added on its page."""
    for line in (await _api(page, server, "GET", "/api/v1/cart"))["lines"]:
        await _api(page, server, "DELETE", f"/api/v1/cart/lines/{line['id']}")
    product, cursor = None, ""
    while product is None:
        listed = await _api(
            page, server, "GET", "/api/v1/products?limit=50" + (f"&cursor={cursor}" if cursor else "")
        )
        mine = [p for p in listed["items"] if p["merchant"]["name"] == "Glow Lab" and p["available"] > 0]
        product, cursor = (mine[0] if mine else None), listed["next_cursor"]
        assert product or cursor, "the demo has no Glow Lab product in stock"
    await page.goto(f"{server}/products/{product['id']}")
    await page.locator("[data-buy-form] button[type=submit]").click()
    await expect(page.locator(".toast, [data-cart]").first).to_be_visible()
    return str(product["name"])


async def test_checkout_to_a_new_address_then_the_merchant_ships_it(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1100, "height": 1000})
    page = await context.new_page()
    await _sign_in(page, server, "shopper@demo.test")
    await _cart_with_a_glow_lab_product(page, server)

    await page.goto(f"{server}/cart")
    chooser = page.locator("[data-ship-to]")
    # The saved default is picked, and the new-address fields stay out of the way until asked for.
    await expect(chooser.locator("input[name=ship_to]:checked")).not_to_have_value("new")
    await expect(chooser.locator("[data-ship-new]")).to_be_hidden()
    await fill_address(chooser)
    await expect(chooser.locator("[data-ship-new]")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "checkout-address.png"), full_page=True)
    await page.click("[data-checkout]")
    await expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    order_id = int(page.url.rstrip("/").split("/")[-2])
    await _fill_card(page, "4242424242424242")
    await page.click("[data-pay-button]")
    await expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"), timeout=15000)
    await expect(page.locator("[data-order-status]")).to_have_text(re.compile(r"^\s*paid\s*$", re.IGNORECASE))
    await expect(page.locator("[data-shipping-address]")).to_contain_text("500 Harbor Road")
    await expect(page.locator("[data-shipping-address]")).to_contain_text("Seattle")

    merchant_context = await browser.new_context(viewport={"width": 1100, "height": 900})
    merchant = await merchant_context.new_page()
    await _sign_in(merchant, server, "merchant@demo.test")
    await merchant.goto(f"{server}/merchant/orders/{order_id}")
    await expect(merchant.locator("[data-shipping-address]")).to_contain_text("Jordan Lee")
    form = merchant.locator("[data-fulfil-form]")
    await form.locator("input[name=carrier]").fill("UPS")
    await form.locator("input[name=tracking_number]").fill("1Z999AA10123456784")
    await form.locator("button[type=submit]").click()
    await expect(merchant.locator("[data-shipments]")).to_contain_text("1Z999AA10123456784")
    await expect(merchant.locator("[data-fulfil-form]")).to_have_count(0)  # nothing of its left to ship
    await merchant_context.close()

    await page.goto(f"{server}/orders/{order_id}")
    await expect(page.locator("[data-order-status]")).to_have_text(
        re.compile(r"fulfilled|shipped", re.IGNORECASE)
    )
    shipment = page.locator("[data-shipments] .shipment").first
    await expect(shipment.locator("[data-carrier]")).to_have_text("UPS")
    await expect(shipment.locator("[data-tracking]")).to_have_text("1Z999AA10123456784")
    await expect(shipment.locator("[data-shipped-at]")).to_have_text(re.compile(r"^\d{2} \w{3} \d{4}$"))
    await page.screenshot(path=str(SCREENSHOTS / "order-shipped.png"), full_page=True)
    await context.close()
