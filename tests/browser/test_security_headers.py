"""The CSP in a real browser: another site cannot frame the checkout or the refund form, and the
app's own pages (Redoc, charts, the live room's socket, Stripe.js's stand-in) run under it with
no violation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.browser.test_dashboard import _shopper_buys_twice
from tests.browser.test_shopper_path import _sign_in


def _violations(page: Page) -> list[str]:
    seen: list[str] = []

    def on_console(text: str) -> None:
        # Redoc's footer logo comes from Redocly's CDN: refused on purpose (/schema stays offline).
        if "Content Security Policy" in text and "cdn.redoc.ly" not in text:
            seen.append(text)

    page.on("console", lambda message: on_console(message.text))
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


@contextmanager
def _other_site(html: str, directory: Path) -> Iterator[str]:
    """A page on another site (localhost, where the app is 127.0.0.1), as a clickjacker's would be."""
    (directory / "index.html").write_text(html)
    handler = partial(SimpleHTTPRequestHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        thread.join()


async def test_checkout_and_refund_pages_cannot_be_framed(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, server, "merchant@demo.test")
    refund_page = f"{server}/merchant/orders/{(await _shopper_buys_twice(server))[0]}"
    await page.goto(refund_page)
    await expect(page.locator(".refund-form")).to_be_attached()  # what a clickjacker would frame
    targets = [f"{server}/cart", refund_page, f"{server}/login"]
    frames_html = "".join(f'<iframe src="{url}" width="400" height="300"></iframe>' for url in targets)
    with _other_site(frames_html, tmp_path) as attacker:
        await page.goto(attacker)
        await page.wait_for_load_state("load")
        frames = page.main_frame.child_frames
        assert len(frames) == len(targets)
        for frame in frames:
            # A refused frame holds Chromium's error page: none of the app's page is in it.
            assert frame.url == "chrome-error://chromewebdata/", frame.url
            assert await frame.locator("form, body[data-signed-in]").count() == 0
    await context.close()


async def test_pages_run_under_the_csp_without_a_violation(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    violations = _violations(page)
    await _sign_in(page, server, "merchant@demo.test")
    await page.goto(f"{server}/schema")
    # Redoc draws the schema from its own file: no inline script is needed.
    await expect(page.locator("#redoc-container h1").first).to_contain_text("zhongcao", timeout=15000)
    await page.goto(f"{server}/dashboard?period=30d")
    await expect(page.locator("canvas").first).to_be_visible()
    await page.goto(f"{server}/")
    href = await page.locator("a.note-card-link").first.get_attribute("href")
    await page.goto(f"{server}{href}")
    await expect(page.locator(".note-body")).to_be_visible()
    await page.goto(f"{server}/live")
    # The demo's room that is live now: Stripe.js's stand-in loads, and the socket connects.
    await page.locator("a.stream-card:not([href$='/replay'])").first.click()
    await expect(page.locator("[data-status-badge]")).to_have_text("LIVE")
    await expect(page.locator("[data-connection]")).to_be_hidden()
    assert await page.evaluate("typeof Stripe") == "function"
    assert violations == [], violations
    await context.close()
