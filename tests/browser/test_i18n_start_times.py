"""An upcoming room's start time follows the page's language, not the browser's (issue 15): an
English-speaking browser reading the Chinese page sees 周五 20:00, and Fri 20:00 on the English one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, expect

from tests.browser.test_shopper_path import _sign_in


async def test_the_live_lists_start_times_are_in_the_pages_language(browser: Browser, server: str) -> None:
    context = await browser.new_context(locale="en-US", timezone_id="UTC")
    page = await context.new_page()
    await _sign_in(page, server, "creator@demo.test")
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=20, minute=0, second=0, microsecond=0)
    await page.goto(f"{server}/live/new")
    await page.fill("input[name=title]", "Browser test: a room three days out")
    await page.fill("input[name=scheduled_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(re.compile(r"/live/\d+/console$"))
    stream_id = int(page.url.split("/")[-2])
    start = page.locator(f'[data-stream-id="{stream_id}"] time[data-local-start]')

    await page.goto(f"{server}/live?lang=zh_Hans")
    weekday = "一二三四五六日"[starts.weekday()]
    await expect(start).to_have_text(f"周{weekday} 20:00")
    await page.goto(f"{server}/live?lang=en")
    await expect(start).to_have_text(f"{starts:%a} 20:00")
    await context.close()
