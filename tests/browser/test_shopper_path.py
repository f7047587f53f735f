"""The first user path, in a real browser: feed → note → tag → product card → cart (with the note)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(f"{server}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "zhongcao-demo")
    await page.click("button[type=submit]")
    await expect(page.locator("body[data-signed-in]")).to_have_count(1)


async def test_feed_note_tag_to_cart(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await _sign_in(page, server, "shopper@demo.test")

    await page.goto(server + "/")
    cards = page.locator(".note-card")
    await expect(cards.nth(19)).to_be_visible()
    await expect(page.locator(".feed-col")).to_have_count(5)
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "feed.png"))

    await cards.filter(has=page.locator(".chip-overlay")).first.locator("a.note-card-link").click()
    await expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note_id = int(page.url.rsplit("/", 1)[1])
    dot = page.locator(".tag-dot").first
    await expect(dot).to_be_visible()
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "note.png"))

    await dot.click()
    sheet = page.locator("[data-product-sheet]")
    await expect(sheet.locator(".sheet-name")).not_to_be_empty()
    product_name = await sheet.locator(".sheet-name").inner_text()
    await sheet.locator(".variant-chip:not([disabled])").first.click()
    await page.screenshot(path=str(SCREENSHOTS / "product-card.png"))
    await sheet.locator(".sheet-add").click()
    await expect(page.locator(".toast")).to_have_text("Added to cart")
    await expect(page.locator("[data-cart-count]")).to_have_text("1")

    await page.goto(server + "/cart")
    line = page.locator(".cart-line").filter(has_text=product_name)
    await expect(line).to_have_count(1)
    await expect(line.locator("[data-source=note]")).to_contain_text(f"note #{note_id}")
    await page.screenshot(path=str(SCREENSHOTS / "cart.png"))
    await context.close()


async def test_phone_feed_is_two_columns_and_loads_more(browser: Browser, server: str) -> None:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    await page.goto(server + "/")
    await expect(page.locator(".feed-col")).to_have_count(2)
    first_page = await page.locator(".note-card").count()
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "feed-phone.png"))
    await page.mouse.wheel(0, 20000)
    await expect(page.locator(".note-card")).not_to_have_count(first_page)
    await context.close()


async def test_cart_quantity_edit_updates_subtotal(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport={"width": 1024, "height": 800})
    page = await context.new_page()
    await page.goto(server + "/shop")
    await page.locator(".product-tile").first.click()
    await page.locator("input[name=variant_id]:not([disabled])").first.check(force=True)
    await page.click("form[data-buy-form] button[type=submit]")
    await expect(page).to_have_url(re.compile(r"/cart$"))
    subtotal = await page.locator("[data-subtotal]").inner_text()
    await page.fill(".cart-line input[name=quantity]", "2")
    await page.locator(".cart-line input[name=quantity]").dispatch_event("change")
    await expect(page.locator("[data-item-count]")).to_have_text("2")
    await expect(page.locator("[data-subtotal]")).not_to_have_text(subtotal)
    await context.close()
