"""Live analytics in a browser: the console's viewer chart grows from the socket as a viewer joins,
and the dashboard's stream page draws its three charts beside their tables."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Browser, expect

from tests.browser.test_live_room import _host_a_stream, _viewer
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in


async def test_the_console_chart_grows_and_the_dashboard_draws_the_stream(
    browser: Browser, server: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    host = await context.new_page()
    await _sign_in(host, server, "merchant@demo.test")
    stream_id = await _host_a_stream(host, server)
    chart = host.locator("[data-viewer-chart]")
    await expect(chart.locator("#console-viewers")).to_be_visible()

    viewer = await _viewer(browser, server, "shopper@demo.test", stream_id)
    # The host's console and the viewer: the newest point says 2, with no reload of the console.
    newest = chart.locator("[data-viewer-points] tbody tr").first.locator("td").nth(1)
    await expect(newest).to_have_text("2", timeout=20000)
    await expect(chart).to_have_attribute("data-points", re.compile(r"^([2-9]|\d{2,})$"))
    await host.locator("[data-pin-list] [data-pin]").first.click()
    await expect(viewer.locator("[data-pinned]")).to_be_visible()
    await viewer.fill("[data-chat-form] input[name=text]", "Is it for dry skin?")
    await viewer.press("[data-chat-form] input[name=text]", "Enter")
    await expect(host.locator("[data-pin-list] .pin-item.pinned")).to_have_count(1)
    await expect(viewer.locator("[data-chat]")).to_contain_text("Is it for dry skin?")

    # The server's sampler (every 10 s) writes the room as it is: the console and the viewer.
    # A sample taken before the viewer joined says 1, so wait for one taken after.
    samples: list[dict[str, Any]] = []
    for _ in range(90):
        answer = await host.request.get(f"{server}/api/v1/streams/{stream_id}/analytics")
        samples = (await answer.json())["viewers"]
        if samples and samples[-1]["viewers"] == 2:
            break
        await asyncio.sleep(0.5)
    assert samples, "no sample within 45 s"
    assert samples[-1]["viewers"] == 2, samples

    await host.goto(f"{server}/dashboard/live")
    row = host.locator(f'[data-live-streams="live"] tr[data-stream-id="{stream_id}"]')
    await expect(row).to_have_count(1)
    await row.locator("a", has_text="Analytics").click()
    await expect(host).to_have_url(re.compile(rf"/dashboard/live/{stream_id}$"))
    for canvas, datasets in (("#viewers-chart", "1"), ("#engagement-chart", "2"), ("#sales-chart", "2")):
        await expect(host.locator(canvas)).to_have_attribute("data-drawn", datasets)
    await expect(host.locator("[data-sales-table] tbody tr").first).to_be_visible()
    await expect(host.locator('[data-card="chat"] .figure')).to_have_text("1")
    await expect(host.locator('[data-markers-table] tr[data-marker="pin"]')).to_have_count(1)
    await expect(host.locator("[data-pins-table] tbody tr[data-pin-product]")).to_have_count(1)
    await expect(host.locator('.dashboard-nav a[aria-current="page"]')).to_have_text("Live")
    await host.screenshot(path=str(SCREENSHOTS / "dashboard-live.png"), full_page=True)
    for page in (host, viewer):
        await page.context.close()
