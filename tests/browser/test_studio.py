"""The creator studio on a phone: compose a note with two photos and three tags, save a draft, publish."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "Studio test: my tea table"


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(f"{server}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "zhongcao-demo")
    await page.click("button[type=submit]")
    await expect(page.locator("body[data-signed-in]")).to_have_count(1)


def _photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=(250, 240, 220))
    picture.save(path, format="PNG")
    return path


async def _tag(page: Page, x: int, y: int, product: int) -> str:
    """Tap the photo at (x, y) px and pick the product-th entry of the picker; returns its name."""
    await page.locator("[data-stage-frame]").tap(position={"x": x, "y": y})
    picker = page.locator("[data-picker]")
    await expect(picker).to_be_visible()
    item = picker.locator(".picker-item").nth(product)
    await expect(item).to_be_visible()
    name = await item.locator("strong").inner_text()
    await item.tap()
    await expect(picker).to_be_hidden()
    return name


async def test_creator_composes_saves_a_draft_and_publishes(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = await context.new_page()
    await _sign_in(page, server, "creator@demo.test")

    await page.goto(f"{server}/studio")
    await page.locator("[data-new-note]").tap()
    await expect(page).to_have_url(re.compile(r"/studio/new$"))
    await expect(page.locator("[data-composer][data-ready]")).to_have_count(1)

    first = _photo(tmp_path / "first.png", (600, 800), (190, 90, 80))
    second = _photo(tmp_path / "second.png", (800, 600), (70, 120, 160))
    await page.locator("[data-stage-empty] input[type=file]").set_input_files([first, second])
    photos = page.locator("[data-photos] .photo")
    await expect(photos).to_have_count(2)
    await expect(page.locator("[data-photos] .photo.uploading")).to_have_count(0)
    # Reorder and back: the strip's order is the note's order.
    src_first = await photos.nth(0).locator("img").get_attribute("src")
    await photos.nth(0).get_by_label("Move photo 1 right").tap()
    await expect(photos.nth(1).locator("img")).to_have_attribute("src", src_first or "")
    await photos.nth(1).get_by_label("Move photo 2 left").tap()
    await expect(photos.nth(0).locator("img")).to_have_attribute("src", src_first or "")

    # The server's 422 lands next to its field.
    await page.locator("[data-save-draft]").tap()
    await expect(page.locator('[data-error-for="title"]')).to_be_visible()

    await page.fill("[data-title]", TITLE)
    await page.fill("[data-body]", "Slow mornings with a pot of oolong. #teatime")
    await page.fill("[data-topic-input]", "homecafe")
    await page.press("[data-topic-input]", "Enter")
    await expect(page.locator("[data-topic-chips] .topic-chip")).to_have_count(1)

    names = [await _tag(page, 80, 120, 0), await _tag(page, 220, 300, 1)]
    await photos.nth(1).locator(".photo-select").tap()
    names.append(await _tag(page, 150, 100, 2))
    await expect(page.locator("[data-stage-frame] .tag-dot")).to_have_count(1)
    await expect(photos.nth(0).locator(".photo-tags")).to_have_text("2")

    await page.get_by_role("tab", name="Note page").tap()
    await expect(page.locator(".preview-page .tag-dot")).to_have_count(3)
    await expect(page.locator(".preview-page .note-title")).to_have_text(TITLE)
    await page.get_by_role("tab", name="Feed card").tap()
    await expect(page.locator(".preview-card .note-card-title")).to_have_text(TITLE)
    await photos.nth(0).locator(".photo-select").tap()
    await expect(page.locator("[data-stage-frame] .tag-dot")).to_have_count(2)
    await page.wait_for_load_state("networkidle")
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(SCREENSHOTS / "studio-composer.png"))

    await page.locator("[data-save-draft]").tap()
    await expect(page).to_have_url(re.compile(r"/studio/notes/\d+/edit$"))
    note_id = int(page.url.rsplit("/", 2)[1])
    saved = await (await page.request.get(f"{server}/api/v1/notes/{note_id}")).json()
    assert saved["status"] == "draft"
    assert sum(len(image["tags"]) for image in saved["images"]) == 3
    stranger = await browser.new_context()
    assert (await stranger.request.get(f"{server}/api/v1/notes/{note_id}")).status == 404
    feed = await (await stranger.request.get(f"{server}/api/v1/notes?q=tea table")).json()
    assert note_id not in [item["id"] for item in feed["items"]]

    await page.locator("[data-publish]").tap()
    await expect(page).to_have_url(re.compile(rf"/notes/{note_id}$"))
    await expect(page.locator(".note-title")).to_have_text(TITLE)
    await expect(page.locator(".tag-dot")).to_have_count(3)
    for name in names:
        await expect(page.locator(".tag-dot .tag-label", has_text=name).first).to_be_attached()
    public = await stranger.request.get(f"{server}/api/v1/notes/{note_id}")
    assert public.status == 200
    await stranger.close()

    await page.goto(f"{server}/studio")
    row = page.locator(f'.studio-note[data-note-id="{note_id}"]')
    await expect(row).to_have_attribute("data-status", "published")
    await expect(row.locator(".studio-note-title")).to_have_text(TITLE)
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(SCREENSHOTS / "studio-home.png"))
    await context.close()
    await _edit_on_a_desktop(browser, server, note_id)


async def _edit_on_a_desktop(browser: Browser, server: str, note_id: int) -> None:
    """With a mouse: drag a tag to a new spot and drag the second photo before the first."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await _sign_in(page, server, "creator@demo.test")
    before = await (await page.request.get(f"{server}/api/v1/notes/{note_id}")).json()
    await page.goto(f"{server}/studio/notes/{note_id}/edit")
    frame = page.locator("[data-stage-frame]")
    dot = frame.locator(".tag-dot").first
    await expect(dot).to_be_visible()
    box = await frame.bounding_box()
    pin = await dot.locator(".tag-pin").bounding_box()
    assert box is not None
    assert pin is not None
    await page.mouse.move(pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1, steps=8)
    await page.mouse.up()
    photos = page.locator("[data-photos] .photo")
    await photos.nth(1).drag_to(photos.nth(0))
    await expect(photos.nth(0).locator(".photo-tags")).to_have_text("1")
    # Without a pointer: tag the middle, then nudge the tag with the arrow keys.
    await page.locator("[data-tag-center]").focus()
    await page.keyboard.press("Enter")
    await page.locator("[data-picker] .picker-item").first.click()
    await expect(frame.locator(".tag-dot")).to_have_count(3)
    await frame.locator(".tag-dot").last.focus()
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    await page.locator("[data-publish]").click()
    await expect(page).to_have_url(re.compile(rf"/notes/{note_id}$"))
    after = await (await page.request.get(f"{server}/api/v1/notes/{note_id}")).json()
    assert [i["id"] for i in after["images"]] == [i["id"] for i in reversed(before["images"])]
    moved = after["images"][1]["tags"][0]
    assert moved["product_id"] == before["images"][0]["tags"][0]["product_id"]
    assert abs(moved["x"] - 0.9) < 0.03
    assert abs(moved["y"] - 0.1) < 0.03
    nudged = after["images"][1]["tags"][-1]
    assert (nudged["x"], nudged["y"]) == (0.54, 0.5)
    await context.close()
