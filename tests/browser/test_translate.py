"""translate.js in Chromium against the in-process app (`served`) and the LibreTranslate stub, on
the real pages: the note's Translate link and the room's "Translate chat" toggle come from
templates/components/translate.html. What it checks: the label, the swap back to the original (with
the body's #topic links), a provider's `<script>` shown as text, a fault and a retry, the chat
toggle translating shown and new lines in batches, and a comment's own link.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from shop.settings import Settings
from tests.browser.test_deals import PHONE
from tests.helpers import PASSWORD, Client, make_note
from tests.integration.test_chat_moderation import moderated_room, say
from tests.translate_stub import SCRIPT, TranslateStub, running_stub, translating_settings

TITLE = "新手怎么用这个应用"
BODY = "先关注几位创作者 #新手指南"


@pytest.fixture
async def stub() -> AsyncIterator[TranslateStub]:
    async with running_stub() as running:
        yield running


@pytest.fixture
def settings(base_settings: Settings, stub: TranslateStub) -> Settings:
    return translating_settings(base_settings, stub)


async def _signed_in(browser: Browser, base: str, who: Client) -> Page:
    context = await browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", who.me["email"])
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("body[data-signed-in]")).to_have_count(1)
    return page


async def test_a_chinese_note_is_translated_labelled_and_shown_in_the_original_again(
    served: str, browser: Browser, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title=TITLE, body=BODY)
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/notes/{note['id']}")
    link = page.locator(".note-text [data-translate]")
    await link.click()
    await expect(page.locator(".note-title")).to_have_text(f"[zh>en] {TITLE}")
    await expect(page.locator(".note-body")).to_have_text(f"[zh>en] {BODY}")
    await expect(link).to_have_text("Translated from Chinese · Show original")
    await link.click()
    await expect(page.locator(".note-title")).to_have_text(TITLE)
    await expect(page.locator(".note-body a[href='/topics/新手指南']")).to_have_count(1)
    await expect(link).to_have_text("Translate")
    await link.click()  # the translation was kept: no second call
    await expect(page.locator(".note-title")).to_have_text(f"[zh>en] {TITLE}")
    assert len(stub.requests) == 2
    await page.context.close()


async def test_a_providers_script_is_shown_as_text_never_run(
    served: str, browser: Browser, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    stub.mode = "script"
    note = await make_note(creator, [], title=TITLE, body=BODY)
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/notes/{note['id']}")
    await page.locator(".note-text [data-translate]").click()
    await expect(page.locator(".note-title")).to_have_text(SCRIPT)
    await expect(page.locator(".note-title b, .note-title script")).to_have_count(0)
    await page.context.close()


async def test_the_chat_toggle_translates_shown_and_new_lines_for_this_viewer(
    served: str,
    browser: Browser,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    stub: TranslateStub,
) -> None:
    stream_id = await moderated_room(creator)
    await say(other_shopper, stream_id, "这个多少钱")
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/live/{stream_id}")
    lines = page.locator("[data-chat] .chat-text")
    await expect(lines).to_have_text(["这个多少钱"])
    toggle = page.locator("[data-translate-chat]")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await expect(lines).to_have_text(["[zh>en] 这个多少钱"])
    await say(other_shopper, stream_id, "包邮吗")
    await say(other_shopper, stream_id, "so pretty")
    await expect(lines).to_have_text(["[zh>en] 这个多少钱", "[zh>en] 包邮吗", "so pretty"])
    await toggle.click()
    await expect(lines).to_have_text(["这个多少钱", "包邮吗", "so pretty"])
    assert sorted(stub.texts()) == ["包邮吗", "这个多少钱"]
    await page.context.close()


async def test_a_provider_fault_keeps_the_original_and_the_link_asks_again(
    served: str, browser: Browser, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    stub.mode = "html_error"
    note = await make_note(creator, [], title=TITLE, body=BODY)
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/notes/{note['id']}")
    link = page.locator(".note-text [data-translate]")
    await link.click()
    await expect(page.locator(".toast")).to_have_text("Translation is not available right now.")
    await expect(page.locator(".note-title")).to_have_text(TITLE)
    await expect(link).to_have_text("Translate")
    stub.mode = "ok"
    await link.click()
    await expect(page.locator(".note-title")).to_have_text(f"[zh>en] {TITLE}")
    await page.context.close()


async def test_a_comment_has_its_own_translate_link(
    served: str, browser: Browser, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title="Morning routine", body="Three steps, no more.")
    said = await creator.post(f"/api/v1/notes/{note['id']}/comments", json={"body": "早上只用三步"})
    assert said.status_code == 201, said.text
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/notes/{note['id']}")
    comment = page.locator(f"#comment-{said.json()['id']}")
    await comment.locator("[data-translate]").click()
    await expect(comment.locator(".comment-body")).to_have_text("[zh>en] 早上只用三步")
    await expect(page.locator(".note-title")).to_have_text("Morning routine")  # the note is untouched
    assert stub.texts() == ["早上只用三步"]
    await page.context.close()
