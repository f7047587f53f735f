"""Notifications arrive live: a new follower bumps the creator's badge over the socket; the page lists it."""

from __future__ import annotations

import uuid

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

PHONE = {"width": 390, "height": 844}


async def _api(context: BrowserContext, server: str, path: str, body: dict[str, object]) -> dict[str, object]:
    """A JSON call from this browser's own cookies, with the CSRF header our pages' JS sends."""
    cookies = {c["name"]: c["value"] for c in await context.cookies(server)}
    response = await context.request.post(
        server + path, data=body, headers={"X-CSRFToken": cookies.get("csrftoken", "")}
    )
    assert response.ok, await response.text()
    return dict(await response.json())


async def _badge(page: Page) -> int:
    badge = page.locator("[data-unread-count]")
    return 0 if await badge.is_hidden() else int(await badge.inner_text())


async def test_new_follower_bumps_badge_live_then_shows_on_page(browser: Browser, server: str) -> None:
    creator_ctx = await browser.new_context(viewport=PHONE)
    creator = await creator_ctx.new_page()
    await _sign_in(creator, server, "creator@demo.test")
    creator_id = (await (await creator_ctx.request.get(server + "/api/v1/me")).json())["id"]
    await creator.goto(server + "/notifications")  # the demo's inbox is full: read it all first
    await creator.goto(server + "/")
    await creator.wait_for_load_state("networkidle")  # the notification socket is open
    before = await _badge(creator)
    assert before == 0

    fan_ctx = await browser.new_context()
    fan = await fan_ctx.new_page()
    await fan.goto(server + "/login")  # a page visit sets the CSRF cookie
    name = f"Fan {uuid.uuid4().hex[:4]}"
    await _api(
        fan_ctx,
        server,
        "/api/v1/auth/register",
        {
            "email": f"{uuid.uuid4().hex[:8]}@example.com",
            "password": "a good long password",
            "display_name": name,
        },
    )
    await _api(fan_ctx, server, f"/api/v1/users/{creator_id}/follow", {})

    # No reload: the badge and the toast come over the creator's own socket.
    await expect(creator.locator("[data-unread-count]")).to_have_text(str(before + 1))
    await expect(creator.locator(".toast")).to_have_text(f"{name} started following you")
    await expect(creator.locator("[data-tab-unread-count]")).to_have_text(str(before + 1))

    await creator.locator("header .bell-link").click()
    first = creator.locator(".inbox-item").first
    await expect(first).to_contain_text(f"{name} started following you")
    await expect(first).to_have_class("inbox-item unread")
    await creator.screenshot(path=str(SCREENSHOTS / "notifications.png"))
    # Opening the page read them all.
    await creator.goto(server + "/")
    await expect(creator.locator("[data-unread-count]")).to_be_hidden()
    await creator_ctx.close()
    await fan_ctx.close()
