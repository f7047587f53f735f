"""Live video in Chromium (issue 16): the host's console broadcasts Chromium's fake camera over the
ingest socket, and a viewer's room plays the HLS that comes out of it (hls.js, currentTime moves)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

# Only this module's browser has a camera: Chromium's generated test pattern and beep, no prompt.
FAKE_CAMERA = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
async def camera_browser(browser: Browser) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA], headless=True
        )
        yield instance
        await instance.close()


async def playing(page: Page, selector: str = "[data-video]", seconds: float = 2.0) -> float:
    """Wait until the video's clock has moved `seconds` past where it first ran; return it."""
    video = page.locator(selector)
    await expect(video).to_be_visible(timeout=30_000)
    await page.wait_for_function("v => v.currentTime > 0", arg=await video.element_handle(), timeout=30_000)
    start = float(await video.evaluate("v => v.currentTime"))
    await page.wait_for_function(
        f"v => v.currentTime >= {start + seconds} && !v.paused",
        arg=await video.element_handle(),
        timeout=30_000,
    )
    return float(await video.evaluate("v => v.currentTime"))


async def test_the_console_broadcasts_the_camera_and_the_room_plays_it(
    camera_browser: Browser, server: str
) -> None:
    host = await (await camera_browser.new_context(viewport={"width": 1200, "height": 1000})).new_page()
    await _sign_in(host, server, "merchant@demo.test")
    await host.goto(server + "/live/new")
    await host.fill("input[name=title]", "Browser test: camera on")
    await host.click("main button[type=submit]")
    await expect(host).to_have_url(re.compile(r"/live/\d+/console$"))
    stream_id = int(host.url.split("/")[-2])
    await host.locator("input[name=product_ids]").first.check()
    await host.click("[data-shelf-form] button[type=submit]")
    await expect(host.locator("[data-pin-list] .pin-item")).to_have_count(1)
    await host.wait_for_load_state("load")  # the reloaded console's scripts run before its buttons work
    await host.click("[data-move=start]")
    await expect(host.locator("[data-status]")).to_have_text("live")
    await host.click("[data-camera-open]")
    await playing(host, "[data-camera-preview]", 0.5)  # the preview runs on the fake camera
    await host.click("[data-broadcast]")
    await expect(host.locator("[data-camera-state]")).to_have_text("live", timeout=15_000)
    await expect(host.locator("[data-bitrate]")).not_to_have_text("0", timeout=10_000)

    viewer = await (await camera_browser.new_context(viewport={"width": 420, "height": 860})).new_page()
    await viewer.goto(f"{server}/live/{stream_id}")
    await playing(viewer)
    await expect(viewer.locator("[data-poster]")).to_be_hidden()
    await expect(viewer.locator("[data-sound]")).to_be_visible()
    await viewer.click("[data-sound]")  # above the video, usable like every overlay
    assert await viewer.locator("[data-video]").evaluate("v => v.muted") is False
    await expect(viewer.locator("[data-like]")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await viewer.screenshot(path=str(SCREENSHOTS / "live-room-video.png"))
    await host.screenshot(path=str(SCREENSHOTS / "live-console-camera.png"))


async def test_the_demo_room_plays_and_a_replay_chapter_seeks_the_recording(
    browser: Browser, server: str
) -> None:
    page = await (await browser.new_context(viewport={"width": 420, "height": 860})).new_page()
    await page.goto(server + "/live")
    await page.locator(".stream-card").filter(has_text="Glow-up hour").first.click()
    await expect(page.locator("[data-status-badge]")).to_have_text("LIVE")
    await playing(page)  # the clip ffmpeg drew at seed time, broadcast in a loop (DEMO_BROADCAST)
    # The broadcast dates its segments: the room says how far behind live the picture is.
    behind = page.locator("[data-behind-live]")
    await expect(behind).to_be_visible(timeout=10_000)
    await expect(behind).to_have_text(re.compile(r"^\d+\.\d s behind live$"))
    seconds = float(await behind.get_attribute("data-seconds") or "inf")
    assert 0 <= seconds < 10, seconds

    await page.goto(server + "/live")
    await page.locator(".stream-card").filter(has_text="Gongfu tea 101").first.click()
    await expect(page).to_have_url(re.compile(r"/live/\d+/replay$"))
    chapter = page.locator(".chapter").filter(has_text="Charcoal Roasted Oolong")
    offset = int(await chapter.locator("[data-seek]").get_attribute("data-seek") or 0)
    assert offset > 60
    await chapter.locator("[data-seek]").click()
    video = await page.locator("[data-replay-video]").element_handle()
    await page.wait_for_function(
        f"v => !v.paused && v.currentTime >= {offset} && v.currentTime < {offset + 10}",
        arg=video,
        timeout=30_000,
    )
    await expect(chapter).to_have_class(re.compile("chapter-current"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(SCREENSHOTS / "live-replay-chapter.png"))
