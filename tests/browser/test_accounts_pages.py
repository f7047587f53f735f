"""Accounts in a real browser on a phone-sized page: sign up → welcome → interests → follow → feed;
edit the profile; reach a storefront from a product page."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.async_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


async def _sign_up(page: Page, server: str, name: str) -> None:
    await page.goto(f"{server}/signup")
    await page.fill("input[name=display_name]", name)
    await page.fill("input[name=email]", f"{uuid.uuid4().hex[:10]}@example.com")
    await page.fill("input[name=password]", "zhongcao-browser")
    await page.locator("form[action='/signup'] button[type=submit]").click()
    await expect(page).to_have_url(f"{server}/welcome")


async def test_sign_up_onboarding_follow_then_feed(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await _sign_up(page, server, "Browser Newbie")

    chips = page.locator(".topic-chip")
    await expect(chips.first).to_be_visible()
    picked = [await chips.nth(i).locator("input").get_attribute("value") for i in range(2)]
    for i in range(2):
        await chips.nth(i).click()
    await expect(page.locator(".topic-chip input:checked")).to_have_count(2)
    await page.click("[data-next-step]")
    await expect(page).to_have_url(f"{server}/welcome/creators")
    interests = await (await page.request.get(f"{server}/api/v1/me/interests")).json()
    assert interests["topics"] == picked

    card = page.locator(".creator-card").first
    await expect(card.locator(".creator-covers img").first).to_be_visible()
    creator_id = await card.get_attribute("data-creator")
    button = card.locator("form[data-follow-form] button")
    await button.click()
    await expect(button).to_have_text("Following")  # follow-forms.js called the API in place
    await expect(page).to_have_url(f"{server}/welcome/creators")
    creator = await (await page.request.get(f"{server}/api/v1/users/{creator_id}")).json()
    assert creator["is_following"] is True
    await page.screenshot(path=str(SCREENSHOTS / "welcome.png"))

    await page.click("[data-start-exploring]")
    await expect(page).to_have_url(f"{server}/")
    await expect(page.locator(".note-card").first).to_be_visible()
    await context.close()


async def test_edit_profile_name_and_bio(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await _sign_up(page, server, "Before Edit")
    me = await (await page.request.get(f"{server}/api/v1/me")).json()

    await page.goto(f"{server}/users/{me['id']}")
    await page.click("[data-edit-profile]")
    await expect(page).to_have_url(f"{server}/settings/profile")
    await page.fill("input[name=display_name]", "")
    await page.click("form[action='/settings/profile'] button[type=submit]")
    await expect(page.locator(".field-error")).to_be_visible()  # re-rendered with the field's message

    await page.fill("input[name=display_name]", "After Edit <3")
    await page.fill("textarea[name=bio]", "Tea, clay & long walks.")
    await page.click("form[action='/settings/profile'] button[type=submit]")
    await expect(page.locator(".notice")).to_have_text("Saved.")
    await expect(page.locator("input[name=display_name]")).to_have_value("After Edit <3")
    await page.screenshot(path=str(SCREENSHOTS / "settings.png"))

    await page.goto(f"{server}/users/{me['id']}")
    await expect(page.locator(".profile h1")).to_have_text("After Edit <3")
    await expect(page.locator(".profile")).to_contain_text("Tea, clay & long walks.")
    await context.close()


async def test_storefront_from_a_product_page(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(f"{server}/shop")
    await page.locator(".product-grid .product-tile").first.click()
    await expect(page).to_have_url(re.compile(r"/products/\d+$"))
    shop_name = (await page.locator("[data-shop-link]").inner_text()).removesuffix("\u203a").strip()
    await page.click("[data-shop-link]")
    await expect(page).to_have_url(re.compile(r"/shops/\d+$"))
    await expect(page.locator(".storefront-head h1")).to_have_text(shop_name)
    await expect(page.locator("[data-shop-products] .product-tile").first).to_be_visible()
    await expect(page.locator("[data-follower-count]")).to_contain_text("follower")
    await page.click(".tabs >> text=Notes")
    await expect(page).to_have_url(re.compile(r"/shops/\d+\?tab=notes$"))
    await expect(page.locator("[data-shop-notes] .note-card").first).to_be_visible()
    await context.close()
