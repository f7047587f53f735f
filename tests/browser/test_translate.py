"""translate.js in Chromium against the in-process app (`served`) and the LibreTranslate stub.

The note and room templates get their Translate link and chat toggle from
templates/components/translate.html when they are wired in; until then this test adds the same
markup the macros render (and the data-translatable marks) to the real pages, then loads the
module as the page would. What it checks is the module's behaviour: the label, the swap back to the
original (with the body's #topic links), a provider's `<script>` shown as text, and the chat
toggle translating shown and new lines in batches.
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


async def _load_module(page: Page) -> None:
    await page.evaluate("async () => { await import('/static/js/translate.js'); }")


async def _wire_note(page: Page, note_id: int) -> None:
    """What the note template gets: the marks on the texts and the macro's link."""
    await page.evaluate(
        """(id) => {
          document.querySelector('.note-title').dataset.translatable = `note:${id}:title`;
          document.querySelector('.note-body').dataset.translatable = `note:${id}:body`;
          const link = document.createElement('button');
          Object.assign(link.dataset, { translate: '', kind: 'note', id: String(id) });
          link.textContent = 'Translate';
          document.querySelector('.note-body').after(link);
        }""",
        note_id,
    )
    await _load_module(page)


async def test_a_chinese_note_is_translated_labelled_and_shown_in_the_original_again(
    served: str, browser: Browser, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title=TITLE, body=BODY)
    page = await _signed_in(browser, served, shopper)
    await page.goto(f"{served}/notes/{note['id']}")
    await _wire_note(page, note["id"])
    link = page.locator("[data-translate]")
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
    await _wire_note(page, note["id"])
    await page.locator("[data-translate]").click()
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
    await page.evaluate(
        """() => {
          const toggle = document.createElement('button');
          toggle.dataset.translateChat = '';
          toggle.textContent = 'Translate chat';
          document.querySelector('[data-chat]').before(toggle);
        }"""
    )
    await _load_module(page)
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
    await _wire_note(page, note["id"])
    link = page.locator("[data-translate]")
    await link.click()
    await expect(page.locator(".toast")).to_have_text("Translation is not available right now.")
    await expect(page.locator(".note-title")).to_have_text(TITLE)
    await expect(link).to_have_text("Translate")
    stub.mode = "ok"
    await link.click()
    await expect(page.locator(".note-title")).to_have_text(f"[zh>en] {TITLE}")
    await page.context.close()
