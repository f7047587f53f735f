"""Creator discovery on a phone: the demo merchant opens "Find creators" from the Me tab, picks a topic
chip and an engagement floor, and every card left carries that topic, three notes and a Send offer."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(f"{server}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "zhongcao-demo")
    await page.click("form[action='/login'] button[type=submit]")
    await expect(page.locator("body[data-signed-in]")).to_have_count(1)


async def test_merchant_filters_creators_by_topic_on_a_phone(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await _sign_in(page, server, "merchant@demo.test")
    await page.goto(f"{server}/me")
    await page.get_by_role("link", name=re.compile(r"^Find creators")).tap()
    await expect(page).to_have_url(f"{server}/partners/creators")

    cards = page.locator("[data-creators] .creator-card")
    await expect(cards.first).to_be_visible()
    everyone = await cards.count()
    assert everyone >= 5  # the demo's creators

    chip = page.locator(".topics a[data-topic=hiking]")
    await chip.tap()
    await expect(page).to_have_url(re.compile(r"/partners/creators\?topic=hiking$"))
    await expect(page.locator(".topics a.active")).to_have_text("#hiking")
    picked = await cards.count()
    assert 1 <= picked < everyone
    api = await (await page.request.get(f"{server}/api/v1/creators?topic=hiking")).json()
    shown = []
    for i in range(picked):
        card = cards.nth(i)
        creator_id = await card.get_attribute("data-creator")
        shown.append(int(creator_id or 0))
        await expect(card.locator("[data-send-offer]")).to_have_attribute(
            "href", f"/offers/new?creator_id={creator_id}"
        )
        await expect(card.locator("[data-recent-notes] a")).to_have_count(3)
    assert shown == [c["id"] for c in api["items"]]  # the page shows what the API answers, in order

    # The select applies itself (creator-filters.js); the topic stays picked.
    await page.select_option("select[name=followers]", "100k+")
    await expect(page).to_have_url(
        re.compile(r"topic=hiking.*followers=100k%2B|followers=100k%2B.*topic=hiking")
    )
    await expect(page.locator("[data-empty]")).to_contain_text("No creators match")
    await page.select_option("select[name=followers]", "any")
    await expect(cards).to_have_count(picked)
    await page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "creator-discovery.png"))
    await context.close()
