"""The live room in three browsers: a host pins and launches a flash sale, two viewers watch,
one buys in the room with a 4242 card, and the other sees the stock fall."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.browser.test_checkout import _fill_card
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

PHONE = {"width": 420, "height": 860}


async def _host_a_stream(page: Page, server: str) -> int:
    await page.goto(server + "/live/new")
    await page.fill("input[name=title]", "Browser test: serum flash deals")
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(re.compile(r"/live/\d+/console$"))
    stream_id = int(page.url.split("/")[-2])
    choices = page.locator("input[name=product_ids]")
    for i in range(3):
        await choices.nth(i).check()
    await page.click("[data-shelf-form] button[type=submit]")
    await expect(page.locator("[data-pin-list] .pin-item")).to_have_count(3)
    await page.click("[data-move=start]")
    await expect(page.locator("[data-status]")).to_have_text("live")
    return stream_id


async def _viewer(browser: Browser, server: str, email: str, stream_id: int) -> Page:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await _sign_in(page, server, email)
    await page.goto(f"{server}/live/{stream_id}")
    await expect(page.locator("[data-status-badge]")).to_have_text("LIVE")
    await expect(page.locator("[data-connection]")).to_be_hidden()
    return page


async def _launch_sale(host: Page, quantity: int) -> None:
    form = host.locator("[data-sale-form]")
    option = form.locator("select[name=variant_id] option").first
    regular = int(await option.get_attribute("data-price") or 0)
    await form.locator("input[name=quantity]").fill(str(quantity))
    await form.locator("input[name=price]").fill(f"{(regular * 7 // 10) / 100:.2f}")
    await form.locator("input[name=per_customer_limit]").fill("1")
    await form.locator("input[name=countdown_s]").fill("4")
    await form.locator("input[name=duration_s]").fill("300")
    await form.locator("button[type=submit]").click()
    await expect(host.locator(".toast")).to_have_text("Flash sale launched")


async def test_host_pins_and_sells_while_two_viewers_watch(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    host_context = await browser.new_context(viewport={"width": 1200, "height": 900})
    host = await host_context.new_page()
    await _sign_in(host, server, "merchant@demo.test")
    stream_id = await _host_a_stream(host, server)
    buyer = await _viewer(browser, server, "shopper@demo.test", stream_id)
    watcher = await _viewer(browser, server, "creator@demo.test", stream_id)

    first = host.locator("[data-pin-list] .pin-item").first
    pinned_name = (await first.locator(".pin-name").inner_text()).split(" · ")[0].strip()
    await first.locator("[data-pin]").click()
    for viewer in (buyer, watcher):
        await expect(viewer.locator("[data-pinned] .pinned-name")).to_have_text(pinned_name)

    await _launch_sale(host, quantity=5)
    for viewer in (buyer, watcher):
        card = viewer.locator("[data-flash-card]")
        await expect(card.locator("[data-countdown]")).to_contain_text("Starts in")
        await expect(card.locator("[data-remaining]")).to_have_text("5")
    await expect(host.locator("[data-ledger] [data-book=available]")).to_have_text("5")

    grab = buyer.locator("[data-flash-card] [data-grab]")
    await expect(grab).to_be_enabled(timeout=10000)  # the countdown ran out on the server's clock
    await expect(buyer.locator("[data-flash-card] [data-countdown]")).to_contain_text("Ends in")
    await buyer.screenshot(path=str(SCREENSHOTS / "live-room.png"))
    await grab.click()
    sheet = buyer.locator("[data-sheet]")
    await expect(sheet.locator("[data-hold-timer]")).to_contain_text("Held for you")
    await expect(watcher.locator("[data-flash-card] [data-remaining]")).to_have_text("4")

    await _fill_card(buyer, "4242424242424242")
    await buyer.screenshot(path=str(SCREENSHOTS / "live-checkout.png"))
    await sheet.locator("[data-pay-button]").click()
    await expect(sheet.locator("[data-paid]")).to_contain_text("Paid", timeout=20000)
    await expect(host.locator("[data-ledger] [data-book=sold]")).to_have_text("1", timeout=10000)
    await expect(host.locator("[data-ledger] [data-book=invariant_ok]")).to_contain_text("balanced")
    await expect(watcher.locator("[data-flash-card] [data-remaining]")).to_have_text("4")
    await host.screenshot(path=str(SCREENSHOTS / "live-console.png"), full_page=True)

    await sheet.locator("[data-paid] a").click()
    await expect(buyer.locator("[data-order-status]")).to_have_text(
        re.compile(r"^\s*paid\s*$", re.IGNORECASE)
    )
    await expect(buyer.locator(".source")).to_contain_text("stream")
    for page in (host, buyer, watcher):
        await page.context.close()
