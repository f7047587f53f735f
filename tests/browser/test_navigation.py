"""Getting around by clicking, as each role, on a phone (tab bar) and on a desktop (header)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROLES = {
    "shopper@demo.test": False,  # sells nothing: no Sales
    "creator@demo.test": False,
    "merchant@demo.test": True,
}


async def _phone_reaches(page: Page, server: str, sells: bool) -> None:
    tabbar = page.locator("nav.tabbar")
    await expect(tabbar).to_be_visible()
    await expect(page.locator("header .nav-link", has_text="Orders")).to_be_hidden()

    await tabbar.get_by_role("link", name="Live", exact=True).click()
    await expect(page).to_have_url(f"{server}/live")
    await tabbar.get_by_role("link", name=re.compile(r"^Cart\b")).click()
    await expect(page).to_have_url(f"{server}/cart")
    await tabbar.get_by_role("link", name=re.compile(r"^Me\b")).click()
    await expect(page).to_have_url(f"{server}/me")
    await page.locator(".hub-list").get_by_role("link", name="Orders").click()
    await expect(page).to_have_url(f"{server}/orders")
    await tabbar.get_by_role("link", name=re.compile(r"^Me\b")).click()
    sales = page.locator(".hub-list").get_by_role("link", name=re.compile("^Sales"))
    if sells:
        await sales.click()
        await expect(page).to_have_url(f"{server}/merchant/orders")
    else:
        await expect(sales).to_have_count(0)
    await tabbar.get_by_role("link", name="Home", exact=True).click()
    await expect(page).to_have_url(f"{server}/")


async def _desktop_reaches(page: Page, server: str, sells: bool) -> None:
    header = page.locator("header.topbar")
    await expect(page.locator("nav.tabbar")).to_be_hidden()
    for name, path in (("Live", "/live"), ("Orders", "/orders"), ("Shop", "/shop"), ("Discover", "/")):
        await header.get_by_role("link", name=name, exact=True).click()
        await expect(page).to_have_url(f"{server}{path}")
    await header.get_by_role("link", name=re.compile(r"^Cart\b")).click()
    await expect(page).to_have_url(f"{server}/cart")
    sales = header.get_by_role("link", name="Sales", exact=True)
    if sells:
        await sales.click()
        await expect(page).to_have_url(f"{server}/merchant/orders")
    else:
        await expect(sales).to_have_count(0)
    # Everything else about the account sits in the avatar menu.
    await header.locator("details.menu > summary").click()
    await header.get_by_role("menuitem", name="Notifications").click()
    await expect(page).to_have_url(f"{server}/notifications")


@pytest.mark.parametrize("email", list(ROLES))
@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_each_role_gets_around_by_clicking(
    browser: Browser, server: str, email: str, size: str
) -> None:
    context = await browser.new_context(viewport=PHONE if size == "phone" else DESKTOP)
    page = await context.new_page()
    await _sign_in(page, server, email)
    await page.goto(server + "/")
    if size == "phone":
        await _phone_reaches(page, server, ROLES[email])
    else:
        await _desktop_reaches(page, server, ROLES[email])
    creates = page.get_by_role("link", name="Create")
    # Creators and merchants get "+", shoppers don't.
    await page.goto(server + "/")
    await expect(creates.first if email != "shopper@demo.test" else creates).to_have_count(
        1 if email != "shopper@demo.test" else 0
    )
    await context.close()


async def test_signed_out_phone_tab_bar_and_screenshot(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(server + "/")
    tabbar = page.locator("nav.tabbar")
    await expect(tabbar.locator(".tab")).to_have_count(5)
    await page.wait_for_load_state("networkidle")
    await tabbar.get_by_role("link", name=re.compile(r"^Me\b")).click()
    await expect(page).to_have_url(re.compile(r"/login\?next=/me$"))
    await _sign_in(page, server, "creator@demo.test")
    await page.goto(server + "/")
    await expect(tabbar.locator(".tab-create")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "nav-phone.png"))
    await context.close()
