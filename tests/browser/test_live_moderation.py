"""Chat moderation in four browsers: the host makes a creator a moderator; while two viewers watch,
the moderator deletes a line from the console (it leaves both rooms) and mutes its author (whose
next line is refused), then turns slow mode on and announces (both rooms show it); the console
logs each action."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.browser.test_live_room import _host_a_stream, _viewer
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

CALL = """async ([method, path, body]) => {
  const token = decodeURIComponent((document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "");
  const response = await fetch(path, { method, headers: { "Content-Type": "application/json",
    "X-CSRFToken": token }, body: body === null ? undefined : JSON.stringify(body) });
  return [response.status, await response.json().catch(() => null)];
}"""


async def _call(page: Page, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    status, data = await page.evaluate(CALL, [method, path, body])
    return int(status), data


async def _say(viewer: Page, text: str) -> None:
    """Type a line once the room's socket is open (the box keeps the text when it is not)."""
    await expect(viewer.locator('[data-room][data-connected="true"]')).to_have_count(1)
    box = viewer.locator("[data-chat-form] input[name=text]")
    await box.fill(text)
    await box.press("Enter")
    await expect(box).to_have_value("")


async def test_a_moderator_deletes_and_mutes_while_two_viewers_watch(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    host = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await _sign_in(host, server, "merchant@demo.test")
    stream_id = await _host_a_stream(host, server)

    moderator = await (await browser.new_context(viewport={"width": 1280, "height": 1000})).new_page()
    await _sign_in(moderator, server, "creator@demo.test")
    status, me = await _call(moderator, "GET", "/api/v1/me")
    assert status == 200
    status, _ = await _call(host, "POST", f"/api/v1/streams/{stream_id}/moderators", {"user_id": me["id"]})
    assert status in (200, 201)
    await moderator.goto(f"{server}/live/{stream_id}/console")
    console_chat = moderator.locator("[data-console-chat]")

    spammer = await _viewer(browser, server, "shopper@demo.test", stream_id)
    watcher = await _viewer(browser, server, "sam@demo.test", stream_id)
    await _say(watcher, "Is the serum fragrance free?")
    await _say(spammer, "cheap copies at fake-serum dot com")
    for room in (spammer, watcher):
        await expect(room.locator("[data-chat]")).to_contain_text("cheap copies")
    line = console_chat.locator(".console-chat-line", has_text="cheap copies")
    await expect(line).to_have_count(1)

    # Delete: the line leaves both rooms and the console; the honest question stays.
    await line.locator("[data-delete]").click()
    for page in (spammer, watcher, moderator):
        chat = page.locator("[data-chat]") if page is not moderator else console_chat
        await expect(chat).not_to_contain_text("cheap copies")
        await expect(chat).to_contain_text("fragrance free")

    # Mute for 5 minutes from the author's next line: it is refused and reaches no one.
    await _say(spammer, "buy from fake-serum dot com")
    again = console_chat.locator(".console-chat-line", has_text="fake-serum")
    await again.locator('[data-mute="5m"]').click()
    await expect(moderator.locator('[data-mod-log] [data-action="mute"]')).to_contain_text("Alex Rivera")
    await _say(spammer, "you cannot mute me")
    await expect(spammer.locator(".toast")).to_contain_text("muted")
    await _say(watcher, "Thanks for the demo!")
    await expect(watcher.locator("[data-chat]")).to_contain_text("Thanks for the demo!")
    await expect(watcher.locator("[data-chat]")).not_to_contain_text("you cannot mute me")

    # Slow mode from the console: both rooms show it; the log lists every action, newest first.
    await moderator.locator("[data-chat-settings] select[name=slow_mode_s]").select_option("10")
    for room in (spammer, watcher):
        await expect(room.locator("[data-chat-mode]")).to_have_text("Slow mode: one message every 10 s")
    actions = moderator.locator("[data-mod-log] [data-action]")
    await expect(actions.first).to_have_attribute("data-action", "chat_settings")
    await expect(actions.first).to_contain_text("set slow mode to 10 s")

    # A command typed in the console: an announcement pinned above both rooms' chat.
    await moderator.fill("[data-console-say] input[name=text]", "/announce Free shipping until 9 pm")
    await moderator.press("[data-console-say] input[name=text]", "Enter")
    for room in (spammer, watcher):
        await expect(room.locator("[data-announcement]")).to_contain_text("Free shipping until 9 pm")
    await expect(actions.first).to_have_attribute("data-action", "announce")
    await watcher.screenshot(path=str(SCREENSHOTS / "live-room-slow-mode.png"))
    for action in ("delete", "mute", "moderator_add"):
        await expect(moderator.locator(f'[data-mod-log] [data-action="{action}"]')).to_have_count(1)
    await moderator.screenshot(path=str(SCREENSHOTS / "live-moderation.png"), full_page=True)
    for page in (host, moderator, spammer, watcher):
        await page.context.close()
