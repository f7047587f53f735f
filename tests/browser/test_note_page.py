"""The note page in a real browser: tags on the picture (desktop and phone), the carousel's arrows
and dots, following the author, and replying to / liking a comment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# For the slide on screen: the image's content box (object-fit: contain, from its natural size), each
# dot's centre and each label's box, plus the viewport.
MEASURE = """(slide) => {
  const img = slide.querySelector("img");
  const r = img.getBoundingClientRect();
  const scale = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);
  const w = img.naturalWidth * scale, h = img.naturalHeight * scale;
  const content = { left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, width: w, height: h };
  content.right = content.left + w; content.bottom = content.top + h;
  const tags = [...slide.querySelectorAll(".tag-dot")].map((dot) => {
    const d = dot.getBoundingClientRect();
    const l = dot.querySelector(".tag-label").getBoundingClientRect();
    return { x: d.left + d.width / 2, y: d.top + d.height / 2,
             label: { left: l.left, top: l.top, right: l.right, bottom: l.bottom, width: l.width },
             text: dot.querySelector(".tag-label").textContent };
  });
  return { content, tags, viewport: { width: innerWidth, height: innerHeight } };
}"""


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(f"{server}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "zhongcao-demo")
    await page.click("button[type=submit]")
    await expect(page).not_to_have_url(re.compile(r"/login"))


async def _tagged_notes(page: Page, server: str, count: int) -> list[str]:
    await page.goto(server + "/")
    cards = page.locator(".note-card").filter(has=page.locator(".chip-overlay"))
    await expect(cards.nth(count - 1)).to_be_visible()
    hrefs = [await cards.nth(i).locator("a.note-card-link").get_attribute("href") for i in range(count)]
    return [str(h) for h in hrefs]


async def _show_slide(page: Page, index: int) -> Any:
    await page.locator("[data-carousel]").evaluate(
        "(c, i) => c.scrollTo({ left: i * c.clientWidth, behavior: 'instant' })", index
    )
    slide = page.locator(".slide").nth(index)
    await slide.locator("img").evaluate("img => img.loading = 'eager'")
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await slide.locator("img").element_handle()
    )
    return await slide.evaluate(MEASURE)


def _assert_on_picture(box: dict[str, Any], where: str) -> int:
    content, viewport = box["content"], box["viewport"]
    for tag in box["tags"]:
        assert content["left"] - 1 <= tag["x"] <= content["right"] + 1, (where, tag, content)
        assert content["top"] - 1 <= tag["y"] <= content["bottom"] + 1, (where, tag, content)
        label = tag["label"]
        assert label["width"] > 20, (where, tag)
        assert label["left"] >= 0, (where, tag)
        assert label["right"] <= viewport["width"], (where, tag, viewport)
        assert label["top"] >= 0, (where, tag)
        assert label["bottom"] <= viewport["height"], (where, tag, viewport)
        # Kept on the picture itself, not only on the screen.
        assert label["left"] >= content["left"] - 1, (where, tag, content)
        assert label["right"] <= content["right"] + 1, (where, tag, content)
    labels = [tag["label"] for tag in box["tags"]]
    for i, first in enumerate(labels):
        for second in labels[i + 1 :]:
            apart = (
                first["right"] <= second["left"]
                or second["right"] <= first["left"]
                or first["bottom"] <= second["top"]
                or second["bottom"] <= first["top"]
            )
            assert apart, (where, "labels overlap", first, second)
    return len(box["tags"])


async def _check_tags_on(browser: Browser, server: str, viewport: dict[str, int], hrefs: list[str]) -> int:
    phone = viewport["width"] < 600
    context = await browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)  # type: ignore[arg-type]
    page = await context.new_page()
    checked = 0
    for href in hrefs:
        await page.goto(server + href)
        await page.evaluate("document.fonts.ready")
        for index in range(await page.locator(".slide").count()):
            checked += _assert_on_picture(await _show_slide(page, index), f"{href}#{index} {viewport}")
    await context.close()
    return checked


async def test_tags_sit_on_the_picture_on_desktop_and_phone(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    hrefs = await _tagged_notes(await context.new_page(), server, 6)
    await context.close()
    for viewport in (DESKTOP, PHONE):
        assert await _check_tags_on(browser, server, viewport, hrefs) >= 6


async def test_carousel_arrows_dots_and_screenshot(browser: Browser, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(server + "/")
    note_ids = await page.locator(".note-card").evaluate_all("cards => cards.map((c) => c.dataset.noteId)")
    for note_id in note_ids:
        await page.goto(f"{server}/notes/{note_id}")
        if (
            await page.locator(".carousel-dots button").count() >= 2
            and await page.locator(".tag-dot").count()
        ):
            break
    dots = page.locator(".carousel-dots button")
    assert await dots.count() >= 2, "the demo has a tagged note with several images"
    await expect(page.locator(".carousel-prev")).to_be_disabled()
    await expect(dots.nth(0)).to_have_attribute("aria-current", "true")
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "note-desktop.png"))

    await page.get_by_role("button", name="Next image").click()
    await expect(dots.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    await expect(dots.nth(0)).not_to_have_class(re.compile(r"\bactive\b"))
    await expect(page.locator(".carousel-prev")).to_be_enabled()

    await dots.nth(0).click()
    await expect(dots.nth(0)).to_have_attribute("aria-current", "true")
    await expect(page.locator(".carousel-prev")).to_be_disabled()

    # The keyboard reaches the arrow and moves the slide too.
    await page.get_by_role("button", name="Next image").focus()
    await page.keyboard.press("Enter")
    await expect(dots.nth(1)).to_have_attribute("aria-current", "true")
    await context.close()


async def test_phone_hides_arrows_and_still_swipes(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(server + "/")
    note_ids = await page.locator(".note-card").evaluate_all("cards => cards.map((c) => c.dataset.noteId)")
    for note_id in note_ids:
        await page.goto(f"{server}/notes/{note_id}")
        if await page.locator(".carousel-dots button").count() >= 2:
            break
    await expect(page.locator(".carousel-next")).to_be_hidden()
    # A swipe is a native horizontal scroll of the snap container.
    await page.locator("[data-carousel]").evaluate(
        "(c) => c.scrollBy({ left: c.clientWidth, behavior: 'instant' })"
    )
    await expect(page.locator(".carousel-dots button").nth(1)).to_have_class(re.compile(r"\bactive\b"))
    await context.close()


async def test_follow_the_author_from_the_note(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = await context.new_page()
    hrefs = await _tagged_notes(page, server, 1)
    await page.goto(server + hrefs[0])
    await page.locator(".note-author .follow-button").click()
    await expect(page).to_have_url(re.compile(r"/login\?next=/notes/\d+$"))

    await _sign_in(page, server, "shopper@demo.test")
    await page.goto(server + hrefs[0])
    button = page.locator(".note-author button[data-follow]")
    author_id = await button.get_attribute("data-follow")
    was = await button.get_attribute("aria-pressed") == "true"
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "false" if was else "true")
    await expect(button).to_have_text("Follow" if was else "Following")
    profile = await page.evaluate(f"fetch('/api/v1/users/{author_id}').then((r) => r.json())")
    assert profile["is_following"] is (not was)
    await page.reload()
    await expect(page.locator(".note-author button[data-follow]")).to_have_text(
        "Follow" if was else "Following"
    )
    await context.close()


async def test_reply_and_like_a_comment(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = await context.new_page()
    await _sign_in(page, server, "creator@demo.test")
    # No follow button for the author on their own note.
    me = await page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    await page.goto(f"{server}/users/{me['id']}")
    await page.locator(".note-card a.note-card-link").first.click()
    await expect(page.locator(".note-author")).to_be_visible()
    assert await page.locator(".note-author [data-follow], .note-author .follow-button").count() == 0
    hrefs = await _tagged_notes(page, server, 3)
    for href in hrefs:
        await page.goto(server + href)
        if await page.locator(".comment:not(.comment-reply)").count():
            break
    top = page.locator(".comment-list > .comment").first
    name = await top.locator(".comment-author").first.inner_text()
    await top.locator(".comment-reply-button").first.click()
    await expect(page.locator("[data-replying]")).to_be_visible()
    await expect(page.locator("[data-replying-name]")).to_have_text(f"@{name}")
    await page.get_by_role("button", name="Cancel").click()
    await expect(page.locator("[data-replying]")).to_be_hidden()
    await top.locator(".comment-reply-button").first.click()
    await page.fill("input[name=body]", "Replying from the browser test")
    await page.get_by_role("button", name="Send").click()
    await expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    reply = top.locator(".comment-replies .comment").filter(has_text="Replying from the browser test")
    await expect(reply).to_have_count(1)

    like = top.locator(":scope > [data-comment-like]")
    before = int(await like.locator("[data-count]").inner_text())
    pressed = await like.get_attribute("aria-pressed") == "true"
    await like.click()
    await expect(like).to_have_attribute("aria-pressed", "false" if pressed else "true")
    await expect(like.locator("[data-count]")).to_have_text(str(before - 1 if pressed else before + 1))
    await context.close()
