"""The demo's live room tapped like a phone: every overlay control is reachable, the heart counts,
Buy opens the in-room sheet and pays with one 3D Secure challenge, Grab it stops at the limit, and
an upcoming room shows its start time, a countdown and "Remind me"."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.addresses import fill_address
from tests.browser.test_checkout import _fill_card, count_challenges

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CONTROLS = [
    "[data-like]",
    "[data-shelf-open]",
    "[data-pinned] [data-buy-pinned]",
    "[data-flash-card] [data-grab]",
    "[data-chat-form] input",
    "[data-chat-form] button",
    ".live-host",
]


async def _stream(page: Page, server: str, status: str) -> dict[str, Any]:
    response = await page.request.get(f"{server}/api/v1/streams?status={status}")
    streams = await response.json()
    assert streams, f"the demo has no {status} stream"
    # The demo's own (the oldest): other browser tests open rooms of their own with other terms.
    return dict(min(streams, key=lambda stream: stream["id"]))


async def _new_shopper(
    browser: Browser, server: str, viewport: dict[str, int]
) -> tuple[BrowserContext, Page]:
    """A fresh signed-in shopper (the demo accounts' flash-sale limits stay untouched)."""
    context = await browser.new_context(viewport=viewport, is_mobile=viewport == PHONE, has_touch=True)
    page = await context.new_page()
    await page.goto(f"{server}/login")
    token = next(c["value"] for c in await context.cookies() if c["name"] == "csrftoken")
    registered = await page.request.post(
        f"{server}/api/v1/auth/register",
        data={
            "email": f"tap-{uuid.uuid4().hex[:8]}@example.com",
            "password": "zhongcao-demo",
            "display_name": "Tapper",
            "role": "shopper",
        },
        headers={"X-CSRFToken": token},
    )
    assert registered.status == 201, await registered.text()
    return context, page


async def _enter(page: Page, server: str, stream_id: int) -> None:
    await page.goto(f"{server}/live/{stream_id}")
    await expect(page.locator("[data-status-badge]")).to_have_text("LIVE")
    await expect(page.locator("[data-connection]")).to_be_hidden()


async def _settled(page: Page) -> None:
    """Wait for the cards' entrance animations (they slide up 40 px when the snapshot repaints them)."""
    await page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")


async def _hit(page: Page, selector: str) -> bool:
    """Would a tap at the middle of the control land on it (and not on an overlay above it)?"""
    await _settled(page)
    return bool(
        await page.locator(selector).first.evaluate(
            """(node) => {
              const box = node.getBoundingClientRect();
              const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
              return hit !== null && (hit === node || node.contains(hit));
            }"""
        )
    )


async def test_every_overlay_control_is_tappable_and_a_heart_reaches_another_viewer(
    browser: Browser, server: str
) -> None:
    watcher_context, watcher = await _new_shopper(browser, server, DESKTOP)
    stream = await _stream(watcher, server, "live")
    await _enter(watcher, server, stream["id"])
    for selector in CONTROLS:
        assert await _hit(watcher, selector), f"{selector} is covered at 1280x900"

    context, phone = await _new_shopper(browser, server, PHONE)
    await _enter(phone, server, stream["id"])
    for selector in CONTROLS:
        assert await _hit(phone, selector), f"{selector} is covered at 390x844"
    likes = watcher.locator("[data-likes]")
    before = int(await likes.inner_text())
    for _ in range(3):
        await phone.locator("[data-like]").click()  # a real click: it fails if anything covers the heart
    await expect(phone.locator("[data-likes]")).to_have_text(re.compile(r"^\d+$"))
    await expect(likes).not_to_have_text(str(before))
    assert int(await likes.inner_text()) >= before + 3
    await context.close()
    await watcher_context.close()


async def test_buy_opens_the_sheet_over_the_room_and_3ds_asks_once(browser: Browser, server: str) -> None:
    context, page = await _new_shopper(browser, server, PHONE)
    challenges = await count_challenges(context)
    stream = await _stream(page, server, "live")
    await _enter(page, server, stream["id"])
    room_url = page.url
    sheet = page.locator("[data-sheet]")

    await page.locator("[data-pinned] [data-buy-pinned]").click()
    await expect(sheet).to_be_visible()
    await expect(sheet.locator("[data-pay-button]")).to_be_visible()
    await expect(sheet.locator("[data-card-element] input[placeholder=number]")).to_be_visible()
    assert page.url == room_url  # buying never leaves the room
    await page.locator("[data-sheet-close]").click()
    await expect(sheet).to_be_hidden()

    pinned = await page.locator("[data-pinned]").get_attribute("data-product-id")
    await page.locator("[data-shelf-open]").click()
    item = page.locator(f"[data-shelf-list] .shelf-item:not([data-product-id='{pinned}'])").first
    await item.locator("button").click()
    await expect(sheet.locator(".variant-chip.selected")).to_have_count(1)
    await sheet.locator("[data-qty-up]").click()
    await expect(sheet.locator("[data-qty]")).to_have_text("2")
    await fill_address(sheet)  # a new shopper has no saved address: the sheet asks for one
    await _fill_card(page, "4000002500003155")
    await sheet.locator("[data-pay-button]").click()
    await page.get_by_role("button", name="Complete authentication").click(timeout=15000)
    await expect(sheet.locator("[data-paid]")).to_contain_text("Paid", timeout=20000)
    assert len(challenges) == 1
    assert page.url == room_url
    await expect(page.locator("[data-room] .live-stage")).to_be_visible()

    await sheet.locator("[data-paid] a").click()
    await expect(page.locator("[data-order-status]")).to_have_text(re.compile(r"^\s*paid\s*$", re.IGNORECASE))
    await expect(page.locator(".source")).to_contain_text("stream")
    await context.close()


async def test_grab_it_is_disabled_at_the_limit(browser: Browser, server: str) -> None:
    context, page = await _new_shopper(browser, server, PHONE)
    stream = await _stream(page, server, "live")
    await _enter(page, server, stream["id"])
    grab = page.locator("[data-flash-card] [data-grab]")
    detail = await (await page.request.get(f"{server}/api/v1/streams/{stream['id']}")).json()
    limit = detail["flash_sale"]["per_customer_limit"]
    assert limit == 2  # the demo's deal
    for _ in range(limit):
        await expect(grab).to_have_text("Grab it", timeout=10000)
        await grab.click()
        await expect(page.locator("[data-sheet] [data-hold-timer]")).to_contain_text("Held for you")
        await page.locator("[data-sheet-close]").click()
    await expect(grab).to_have_text("Limit reached")
    await expect(grab).to_be_disabled()
    await page.reload()  # the page itself knows this viewer's count
    await expect(page.locator("[data-flash-card] [data-grab]")).to_have_text("Limit reached")
    await expect(page.locator("[data-flash-card] [data-grab]")).to_be_disabled()
    await context.close()


async def test_upcoming_room_counts_down_and_remind_me_toggles(browser: Browser, server: str) -> None:
    context, page = await _new_shopper(browser, server, PHONE)
    stream = await _stream(page, server, "scheduled")
    await page.goto(f"{server}/live/{stream['id']}")
    badge = page.locator("[data-status-badge]")
    await expect(badge).not_to_have_text(re.compile("Starting soon|Upcoming"))
    await expect(badge).to_have_text(re.compile(r"\d{1,2}:\d{2}"))  # a start time, local to the viewer
    countdown = page.locator("[data-start-countdown]")
    await expect(countdown).to_have_text(re.compile(r"^in (\d+d )?\d{2}:\d{2}:\d{2}$"))
    first = await countdown.inner_text()
    await expect(countdown).not_to_have_text(first)  # it is live: the seconds move

    remind = page.locator("[data-remind]")
    await expect(remind).to_have_attribute("aria-pressed", "false")
    await remind.click()
    await expect(remind).to_have_attribute("aria-pressed", "true")
    await expect(remind).to_have_text("Reminder set")
    await page.reload()
    await expect(page.locator("[data-remind]")).to_have_attribute("aria-pressed", "true")
    await page.goto(f"{server}/live")
    card = page.locator(f".stream-card[data-stream-id='{stream['id']}']")
    await expect(card.locator("[data-reminded]")).to_be_visible()
    await page.goto(f"{server}/live/{stream['id']}")
    await page.locator("[data-remind]").click()
    await expect(page.locator("[data-remind]")).to_have_attribute("aria-pressed", "false")
    await expect(page.locator("[data-remind]")).to_have_text("Remind me")
    await context.close()
