"""The live room and console in Chinese: the words the JS modules write (status badge, flash-sale
countdown and button, ledger, moderation buttons) come from the catalog through t()."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.test_live_room import PHONE, _host_a_stream, _launch_sale
from tests.browser.test_shopper_path import _sign_in


async def test_room_and_console_speak_chinese(browser: Browser, server: str) -> None:
    host = await (await browser.new_context(viewport={"width": 1200, "height": 900})).new_page()
    await _sign_in(host, server, "merchant@demo.test")
    stream_id = await _host_a_stream(host, server)
    await _launch_sale(host, quantity=5)

    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    viewer = await context.new_page()
    await _sign_in(viewer, server, "shopper@demo.test")
    await viewer.goto(f"{server}/live/{stream_id}?lang=zh_Hans")
    await expect(viewer.locator("[data-status-badge]")).to_have_text("直播中")
    card = viewer.locator("[data-flash-card]")
    await expect(card.locator("[data-countdown]")).to_contain_text("后结束", timeout=15_000)
    await expect(card.locator("[data-grab]")).to_have_text("马上抢")
    await expect(card.locator("[data-remaining-label]")).to_have_text("/ 共 5 件")

    await host.goto(f"{server}/live/{stream_id}/console?lang=zh_Hans")
    await expect(host.locator("[data-ledger] [data-book=invariant_ok]")).to_have_text("账目一致 ✓")
    await expect(host.locator("[data-ledger-status]")).to_have_text("直播中")
