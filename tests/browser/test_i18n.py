"""The interface in Chinese on a phone (issue 15): the browser's language picks it, titles on cards
wrap in whole lines without clipping, and the header's switcher changes it (and back); the cart,
checkout, live room, studio and dashboard in both languages, each kept as a README screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.test_checkout import _cart_from_a_note
from tests.browser.test_creator_discovery import _sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}

# Each card title's box against its text: no sideways overflow, a whole number of lines shown (the
# clamp cuts after a line, never through one), and inside its card.
TITLES = """() => [...document.querySelectorAll(".note-card-title")].slice(0, 8).map((t) => {
  const style = getComputedStyle(t);
  const line = parseFloat(style.lineHeight);
  const box = t.getBoundingClientRect(), card = t.closest(".note-card").getBoundingClientRect();
  return { text: t.textContent, overflowX: t.scrollWidth - t.clientWidth, height: t.clientHeight, line,
           inside: box.left >= card.left - 0.5 && box.right <= card.right + 0.5 };
})"""


async def _phone(browser: Browser, locale: str) -> Page:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, locale=locale)
    return await context.new_page()


async def _check_titles(page: Page) -> None:
    titles = await page.evaluate(TITLES)
    assert titles, "no note cards on the feed"
    for title in titles:
        assert title["overflowX"] <= 0, title
        assert title["inside"], title
        lines = title["height"] / title["line"]
        assert 0.95 <= lines <= 2.05, title
        assert abs(lines - round(lines)) < 0.1, title


async def test_feed_and_note_in_chinese_on_a_phone(server: str, browser: Browser) -> None:
    page = await _phone(browser, "zh-CN")  # Accept-Language: zh-CN
    await page.goto(server + "/")
    assert await page.get_attribute("html", "lang") == "zh-Hans"
    await expect(page.locator(".feed-tab").first).to_have_text("发现")
    await expect(page.locator(".tabbar")).to_contain_text("购物车")
    await expect(page.locator(".note-card").first).to_be_visible()
    await page.evaluate("document.fonts.ready")
    await _check_titles(page)
    await page.screenshot(path=str(SCREENSHOTS / "feed-zh-phone.png"))

    await page.locator(".note-card a.note-card-link").first.click()
    await expect(page.locator("h2.section-title").filter(has_text="条评论")).to_be_visible()
    assert await page.get_attribute("html", "lang") == "zh-Hans"
    await page.screenshot(path=str(SCREENSHOTS / "note-zh-phone.png"))
    await page.context.close()


async def test_the_switcher_changes_the_language_and_keeps_it(server: str, browser: Browser) -> None:
    page = await _phone(browser, "en-US")
    await page.goto(server + "/")
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.locator(".feed-tab").first).to_have_text("Discover")
    await page.screenshot(path=str(SCREENSHOTS / "feed-en-phone.png"))

    await page.select_option("[data-lang-switch]", "zh_Hans")  # app.js submits the form on change
    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    await expect(page.locator(".feed-tab").first).to_have_text("发现")
    await page.goto(server + "/cart")  # the cookie keeps it on the next page
    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    await expect(page.locator(".empty-state h2")).to_have_text("购物车是空的")
    await page.select_option("[data-lang-switch]", "en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.context.close()


# The pages a shopper, a creator and a merchant open, in each language: (locale the browser asks
# for, <html lang>, the toast after adding to the cart, a word of the tab bar or header, file suffix).
LANGUAGES = (
    ("zh-CN", "zh-Hans", "已加入购物车", "购物车", "zh"),
    ("en-US", "en", "Added to cart", "Cart", "en"),
)
ROOM = re.compile(r"^/live/\d+$")


async def _page_in(page: Page, server: str, path: str, lang: str, name: str) -> None:
    """Open `path`, check its language and that nothing runs off the side of the phone, and keep its
    screenshot for the README."""
    if path:
        await page.goto(server + path)
    assert await page.get_attribute("html", "lang") == lang
    await page.evaluate("document.fonts.ready")
    wide = await page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], (path, wide)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"))


@pytest.mark.parametrize(("locale", "lang", "added", "word", "suffix"), LANGUAGES)
async def test_the_shoppers_creators_and_merchants_pages_in_each_language(
    server: str, browser: Browser, locale: str, lang: str, added: str, word: str, suffix: str
) -> None:
    page = await _phone(browser, locale)
    await _sign_in(page, server, "shopper@demo.test")
    await _cart_from_a_note(page, server, added=added)
    await _page_in(page, server, "/cart", lang, f"cart-{suffix}")
    await expect(page.locator("body")).to_contain_text(word)
    await page.click("[data-checkout]")
    await expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    await _page_in(page, server, "", lang, f"checkout-{suffix}")
    await page.goto(server + "/live")
    rooms = await page.locator("a[href^='/live/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    room = next(href for href in rooms if ROOM.match(href))
    await _page_in(page, server, room, lang, f"live-room-{suffix}")
    await page.context.close()

    for email, path, name in (
        ("creator@demo.test", "/studio", "studio"),
        ("merchant@demo.test", "/dashboard", "dashboard"),
    ):
        page = await _phone(browser, locale)
        await _sign_in(page, server, email)
        await _page_in(page, server, path, lang, f"{name}-{suffix}")
        await page.context.close()
