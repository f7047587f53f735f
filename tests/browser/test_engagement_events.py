"""Pages report engagement in batches: a note's view and tag taps, the product page it leads to, and
the add to cart there (sent as the form leaves the page, in a keepalive request with its CSRF header)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, Response, expect


def _events_call(response: Response) -> bool:
    return response.url.endswith("/api/v1/events") and response.request.method == "POST"


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
    async with page.expect_response(_events_call) as second:
        await page.locator("[data-buy-form] button[type=submit]").click()
    from_note = {"product_id": product_id, "note_id": note_id}
    assert _sent(await second.value) == [
        {"type": "product_view", **from_note},
        {"type": "add_to_cart", **from_note},
    ]
    # Sent as the form navigated away: its body is gone with the page, its status is not.
    assert (await second.value).status == 202
    await expect(page).to_have_url(f"{server}/cart")
    await context.close()
