"""The first user path, in a real browser: feed → note → tag → product card → cart (with the note)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _sign_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "zhongcao-demo")
    page.click("button[type=submit]")
    expect(page.locator("a.avatar")).to_be_visible()


def test_feed_note_tag_to_cart(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    _sign_in(page, server, "shopper@demo.test")

    page.goto(server + "/")
    cards = page.locator(".note-card")
    expect(cards.nth(19)).to_be_visible()
    expect(page.locator(".feed-col")).to_have_count(4)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "feed.png"))

    cards.filter(has=page.locator(".chip-overlay")).first.locator("a.note-card-link").click()
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note_id = int(page.url.rsplit("/", 1)[1])
    dot = page.locator(".tag-dot").first
    expect(dot).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "note.png"))

    dot.click()
    sheet = page.locator("[data-product-sheet]")
    expect(sheet.locator(".sheet-name")).not_to_be_empty()
    product_name = sheet.locator(".sheet-name").inner_text()
    sheet.locator(".variant-chip:not([disabled])").first.click()
    page.screenshot(path=str(SCREENSHOTS / "product-card.png"))
    sheet.locator(".sheet-add").click()
    expect(page.locator(".toast")).to_have_text("Added to cart")
    expect(page.locator("[data-cart-count]")).to_have_text("1")

    page.goto(server + "/cart")
    line = page.locator(".cart-line").filter(has_text=product_name)
    expect(line).to_have_count(1)
    expect(line.locator("[data-source=note]")).to_contain_text(f"note #{note_id}")
    page.screenshot(path=str(SCREENSHOTS / "cart.png"))
    context.close()


def test_phone_feed_is_two_columns_and_loads_more(browser: Browser, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server + "/")
    expect(page.locator(".feed-col")).to_have_count(2)
    first_page = page.locator(".note-card").count()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "feed-phone.png"))
    page.mouse.wheel(0, 20000)
    expect(page.locator(".note-card")).not_to_have_count(first_page)
    context.close()


def test_cart_quantity_edit_updates_subtotal(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(server + "/shop")
    page.locator(".product-tile").first.click()
    page.locator("input[name=variant_id]:not([disabled])").first.check(force=True)
    page.click("form[data-buy-form] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/cart$"))
    subtotal = page.locator("[data-subtotal]").inner_text()
    page.fill(".cart-line input[name=quantity]", "2")
    page.locator(".cart-line input[name=quantity]").dispatch_event("change")
    expect(page.locator("[data-item-count]")).to_have_text("2")
    expect(page.locator("[data-subtotal]")).not_to_have_text(subtotal)
    context.close()
