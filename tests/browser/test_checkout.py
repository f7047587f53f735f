"""Paying in the browser with the card form: 4242 from a note's product, and 3D Secure."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.addresses import fill_address
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in


async def _fill_card(page: Page, number: str) -> None:
    element = page.locator("[data-card-element]")
    await element.locator("input[placeholder=number]").fill(number)
    await element.locator("input[placeholder=exp_month]").fill("12")
    await element.locator("input[placeholder=exp_year]").fill("34")
    await element.locator("input[placeholder=cvc]").fill("123")
    await element.locator("input[placeholder=postal_code]").fill("10001")


async def count_challenges(context: BrowserContext) -> list[str]:
    """Every 3D Secure box the sandbox's Stripe.js opens (one <div> appended per challenge), counted
    in Python so the count survives the page navigating away after the payment."""
    seen: list[str] = []
    await context.expose_function("__challengeShown", lambda: seen.append("3ds"))
    await context.add_init_script(
        """new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((node) => {
          const text = node.nodeType === 1 ? node.textContent || "" : "";
          if (/Complete authentication/.test(text)) window.__challengeShown();
        }))).observe(document, { childList: true, subtree: true });"""
    )
    return seen


async def _cart_from_a_note(page: Page, server: str, added: str = "Added to cart") -> None:
    """Add a tagged product to the cart from a note, as a shopper taps it. Other tests buy the demo's
    stock, so the first tag whose product still has a variant in stock is the one bought. `added`:
    the toast in the page's language."""
    await page.goto(server + "/")
    hrefs = (
        await page.locator(".note-card")
        .filter(has=page.locator(".chip-overlay"))
        .locator("a.note-card-link")
        .evaluate_all("links => links.slice(0, 8).map(a => a.getAttribute('href'))")
    )
    sheet = page.locator("[data-product-sheet]")
    for href in hrefs:
        await page.goto(server + href)
        for index in range(await page.locator(".tag-dot").count()):
            await page.goto(server + href)  # a fresh page: no sheet left open over the photo
            await page.locator(".tag-dot").nth(index).click()
            await expect(sheet.locator(".sheet-name")).not_to_be_empty()
            await expect(sheet.locator(".variant-chip").first).to_be_visible()
            in_stock = sheet.locator(".variant-chip:not([disabled])")
            if await in_stock.count():
                await in_stock.first.click()
                await sheet.locator(".sheet-add").click()
                await expect(page.locator(".toast")).to_have_text(added)
                return
    raise AssertionError("no tagged product in stock on the first notes of the feed")


async def _checkout(page: Page, server: str) -> None:
    await page.goto(server + "/cart")
    await page.click("[data-checkout]")
    await expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))


async def test_pay_with_4242_from_a_note(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    await _sign_in(page, server, "shopper@demo.test")
    await _cart_from_a_note(page, server)
    await _checkout(page, server)
    await _fill_card(page, "4242424242424242")
    await page.screenshot(path=str(Path(SCREENSHOTS) / "checkout.png"))
    await page.click("[data-pay-button]")
    await expect(page).to_have_url(re.compile(r"/orders/\d+$"), timeout=15000)
    await expect(page.locator("[data-order-status]")).to_have_text(re.compile(r"^\s*paid\s*$", re.IGNORECASE))
    await expect(page.locator(".source")).to_contain_text("note #")
    await page.screenshot(path=str(Path(SCREENSHOTS) / "order-paid.png"))
    await context.close()


async def test_pay_with_3d_secure(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    challenges = await count_challenges(context)
    page = await context.new_page()
    await _sign_in(page, server, "creator@demo.test")
    await _cart_from_a_note(page, server)
    await page.goto(server + "/cart")
    await fill_address(page.locator("[data-ship-to]"))  # no saved address: checkout asks for one
    await page.click("[data-checkout]")
    await expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    await _fill_card(page, "4000002500003155")
    await page.click("[data-pay-button]")
    # The card is collected with a token, so the bank's challenge comes once: for the payment.
    await page.get_by_role("button", name="Complete authentication").click(timeout=15000)
    await expect(page).to_have_url(re.compile(r"/orders/\d+$"), timeout=15000)
    await expect(page.locator("[data-order-status]")).to_have_text(re.compile(r"^\s*paid\s*$", re.IGNORECASE))
    assert len(challenges) == 1
    await context.close()
