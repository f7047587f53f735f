"""Pages report engagement in batches: a note's view and tag taps, the product page it leads to, and
the add to cart there (sent as the form leaves the page, in a keepalive request with its CSRF header)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, Response, expect


def _events_call(response: Response) -> bool:
    return response.url.endswith("/api/v1/events") and response.request.method == "POST"


def _is_events(request: Any) -> bool:
    return bool(request.url.endswith("/api/v1/events") and request.method == "POST")


def _sent(response: Response) -> list[dict[str, Any]]:
    return list(response.request.post_data_json["events"])


async def _tagged_note(page: Page, server: str) -> str:
    await page.goto(server + "/")
    card = page.locator(".note-card").filter(has=page.locator(".chip-overlay")).first
    await expect(card).to_be_visible()
    return str(await card.locator("a.note-card-link").get_attribute("href"))


async def test_a_visitor_s_path_from_a_note_is_reported_in_batches(server: str, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    note_path = await _tagged_note(page, server)
    note_id = int(note_path.rstrip("/").rsplit("/", 1)[-1])
    await page.goto(server + note_path)
    dot = page.locator(".tag-dot").first
    product_id = int(str(await dot.get_attribute("data-product-id")))
    async with page.expect_response(_events_call) as first:
        await dot.click()  # the sheet opens; the queue flushes a few seconds later
    assert _sent(await first.value) == [
        {"type": "note_view", "note_id": note_id},
        {"type": "tag_tap", "note_id": note_id, "product_id": product_id},
    ]
    assert (await first.value).status == 202
    assert await (await first.value).json() == {"accepted": 2, "dropped": 0}

    await page.locator(".sheet-details").click()
    await expect(page).to_have_url(f"{server}/products/{product_id}?note={note_id}")
    # The product page's batch may leave on the 4 s timer or as the form navigates away (a keepalive
    # request whose response the closed page never sees): collect what the pages send, by request.
    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.extend(r.post_data_json["events"]) if _is_events(r) else None)
    await page.locator("[data-buy-form] button[type=submit]").click()
    await expect(page).to_have_url(f"{server}/cart")
    from_note = {"product_id": product_id, "note_id": note_id}
    for _ in range(50):
        if {"type": "add_to_cart", **from_note} in sent:
            break
        await page.wait_for_timeout(200)
    assert {"type": "add_to_cart", **from_note} in sent
    await context.close()
