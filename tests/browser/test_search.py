"""Search in a real browser: a Chinese word typed into the header box finds the demo's tea notes and
products, on a phone and on a desktop, and the tabs switch by clicking."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WORD = "乌龙茶"  # in the demo's Tieguanyin product and in notes that tag its oolongs


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
async def test_chinese_word_finds_notes_and_products(
    browser: Browser, server: str, width: int, height: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    await page.goto(server + "/")
    box = page.locator("header form[role=search] input[name=q]")
    await expect(box).to_be_visible()
    await box.fill(WORD)
    await box.press("Enter")

    await page.wait_for_url(f"{server}/search?q=*")
    await expect(box).to_have_value(WORD)  # the query stays in the box
    notes = page.locator("[data-results=notes] .note-card")
    await expect(notes.first).to_be_visible()
    assert await notes.count() >= 3
    await expect(page.locator(".note-card-title", has_text=WORD).first).to_be_visible()
    await expect(page.locator(".search-tabs a[aria-current=page]")).to_have_text("Notes")
    if width >= 1280:
        await page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "search.png"))

    await page.locator(".search-tabs a", has_text="Products").click()
    await expect(page.locator(".search-tabs a[aria-current=page]")).to_have_text("Products")
    tiles = page.locator("[data-results=products] .product-tile")
    await expect(tiles).to_have_count(1)
    await expect(tiles.first.locator(".product-tile-name")).to_have_text("Tieguanyin Oolong 铁观音乌龙茶")
    await expect(tiles.first.locator(".price")).to_have_text("$22.00")
    await expect(box).to_have_value(WORD)

    await page.locator(".search-tabs a", has_text="People").click()
    await expect(page.locator("[data-empty]")).to_contain_text(f"No people match “{WORD}”")
    await box.fill("喝茶")
    await box.press("Enter")
    # A new search from the header starts on the notes tab; people are one click away.
    await page.locator(".search-tabs a", has_text="People").click()
    person = page.locator("[data-results=people] .person")
    await expect(person).to_have_count(1)
    await expect(person.locator(".person-name")).to_have_text("June Li")
    await expect(person).to_contain_text("followers")
    await context.close()
