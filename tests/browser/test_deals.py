"""A paid partnership end to end in the browser, and the label everywhere it must show.

The merchant sends an offer with a fee paid by a 4242 card; the creator accepts, writes a note for
the deal and submits it; the merchant asks for a change, then approves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser, Page, expect

from tests.browser.test_checkout import _fill_card
from tests.browser.test_shopper_path import SCREENSHOTS, _sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
TITLE = "Deal test: serum under sunscreen"


def _photo(path: Path) -> Path:
    Image.new("RGB", (600, 800), (236, 196, 190)).save(path, format="PNG")
    return path


async def _send_offer(page: Page, server: str) -> int:
    await page.goto(f"{server}/partners/creators")
    card = page.locator(".creator-card", has_text="Mia Chen")
    await card.locator("[data-send-offer]").click()
    await expect(page).to_have_url(re.compile(r"/offers/new\?creator_id=\d+$"))
    await page.fill("textarea[name=brief]", "Show the serum <b>under</b> sunscreen, 3 photos.")
    await page.fill("input[name=flat_fee]", "120.00")
    await page.fill("input[name=commission_pct]", "12")
    await expect(page.locator("[data-fee-card]")).to_be_visible()
    await _fill_card(page, "4242424242424242")
    await page.screenshot(path=str(SCREENSHOTS / "deal-offer-form.png"), full_page=True)
    await page.locator("[data-send-offer]").click()
    await expect(page).to_have_url(re.compile(r"/offers/\d+$"), timeout=15_000)
    await expect(page.locator(".deal-head [data-status]")).to_have_attribute("data-status", "sent")
    await expect(page.locator("[data-fee-state]")).to_have_attribute("data-fee-state", "held")
    return int(page.url.rsplit("/", 1)[1])


async def _accept_and_write(page: Page, server: str, offer_id: int, tmp_path: Path) -> int:
    await page.goto(f"{server}/deals?tab=offers")
    await page.locator(f'[data-offer-id="{offer_id}"] a').tap()
    await expect(page.locator("[data-brief]")).to_have_text(
        "Show the serum <b>under</b> sunscreen, 3 photos."
    )
    await page.locator("[data-accept]").tap()
    await expect(page).to_have_url(re.compile(r"/deals/\d+$"))
    deal_id = int(page.url.rsplit("/", 1)[1])
    await page.locator("[data-write-note]").tap()
    await expect(page.locator("[data-deal-label]")).to_contain_text("Paid partnership with Glow Lab")
    await expect(page.locator("[data-composer][data-ready]")).to_have_count(1)
    await page.locator("[data-stage-empty] input[type=file]").set_input_files([_photo(tmp_path / "a.png")])
    await expect(page.locator("[data-photos] .photo.uploading")).to_have_count(0)
    await expect(page.locator("[data-photos] .photo")).to_have_count(1)
    await page.fill("[data-title]", TITLE)
    await page.fill("[data-body]", "Two pumps, then SPF. #glowlab")
    await page.locator("[data-publish]").tap()
    await expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    await page.locator("[data-submit]").tap()
    await expect(page.locator("[data-deal]")).to_have_attribute("data-status", "submitted")
    return deal_id


async def _review(page: Page, server: str, deal_id: int, *, approve: bool) -> None:
    await page.goto(f"{server}/deals/{deal_id}")
    if approve:
        await page.locator("[data-approve]").click()
        return
    await page.fill("[data-review] textarea[name=message]", "Please show the label <i>clearly</i>.")
    await page.locator("[data-request-changes]").click()
    await expect(page.locator("[data-deal]")).to_have_attribute("data-status", "changes_requested")
    await expect(page.locator('[data-round="changes_requested"] p')).to_have_text(
        "Please show the label <i>clearly</i>."
    )


async def test_offer_paid_accepted_submitted_changed_and_approved(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    brand_context = await browser.new_context(**DESKTOP)
    brand = await brand_context.new_page()
    await _sign_in(brand, server, "merchant@demo.test")
    offer_id = await _send_offer(brand, server)

    creator_context = await browser.new_context(**PHONE)
    creator = await creator_context.new_page()
    await _sign_in(creator, server, "creator@demo.test")
    deal_id = await _accept_and_write(creator, server, offer_id, tmp_path)

    await _review(brand, server, deal_id, approve=False)
    await creator.goto(f"{server}/deals/{deal_id}")
    await expect(creator.locator("[data-next-who]").first).to_have_attribute("data-next-who", "creator")
    await creator.locator("[data-submit]").tap()
    await expect(creator.locator("[data-deal]")).to_have_attribute("data-status", "submitted")
    await _review(brand, server, deal_id, approve=True)
    await expect(brand.locator("[data-deal]")).to_have_attribute("data-status", "published")
    await expect(brand.locator("[data-fee-state]")).to_have_attribute("data-fee-state", "releasable")
    await brand.screenshot(path=str(SCREENSHOTS / "deal-page.png"), full_page=True)

    note_id = await _labelled_note(creator, server)
    await creator.goto(f"{server}/users/{await _my_id(creator, server)}")
    card = creator.locator(f'.note-card[data-note-id="{note_id}"]')
    await expect(card.locator('[data-disclosure="paid_partnership"]')).to_contain_text("Glow Lab")
    await brand_context.close()
    await creator_context.close()


async def _my_id(page: Page, server: str) -> int:
    me = await page.request.get(f"{server}/api/v1/me")
    return int((await me.json())["id"])


async def _labelled_note(page: Page, server: str) -> int:
    """The note page shows the label on the photos (above the fold on a phone) and names the
    brand as the sponsor in its JSON-LD."""
    await page.locator("[data-bound-note]").tap()
    await expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    label = page.locator('.note-media-label [data-disclosure="paid_partnership"]')
    await expect(label).to_have_text("Paid partnership with Glow Lab")
    box = await label.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 844
    markup = json.loads(await page.locator('script[type="application/ld+json"]').inner_text())
    assert markup["sponsor"] == {"@type": "Organization", "name": "Glow Lab"}
    await page.screenshot(path=str(SCREENSHOTS / "deal-labelled-note.png"))
    return int(page.url.rsplit("/", 1)[1])


async def test_the_partner_stream_is_labelled_for_the_whole_stream(browser: Browser, server: str) -> None:
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{server}/live")
    await page.get_by_text("Morning glow with Mia, with Glow Lab").first.click()
    await expect(page).to_have_url(re.compile(r"/live/\d+$"))
    label = page.locator('.live-top [data-disclosure="paid_partnership"]')
    await expect(label).to_contain_text("Paid partnership with Glow Lab")
    stream_id = int(page.url.rsplit("/", 1)[1])
    stream = await (await page.request.get(f"{server}/api/v1/streams/{stream_id}")).json()
    assert stream["disclosure"]["kind"] == "paid_partnership"
    assert stream["disclosure"]["brand"]["name"] == "Glow Lab"
    await context.close()
