"""With no provider (the default, TRANSLATE_PROVIDER=none) translation is off: 503, and no links."""

from __future__ import annotations

from litestar import Litestar

from tests.helpers import Client, make_note, png_bytes, upload
from tests.translate_stub import render_translate_macros


async def test_without_a_provider_the_api_answers_503_translation_unavailable(
    creator: Client, shopper: Client
) -> None:
    note = await make_note(creator, [], title="新手指南", body="先关注几位创作者")
    refused = await shopper.post(
        "/api/v1/translate", json={"items": [{"kind": "note", "id": note["id"]}], "target": "en"}
    )
    assert refused.status_code == 503
    assert refused.json()["code"] == "translation_unavailable"
    assert refused.json()["message"]


async def test_without_a_provider_another_users_draft_is_still_not_found(
    creator: Client, shopper: Client
) -> None:
    image = await upload(creator, png_bytes(60, 80))
    draft = {"title": "草稿", "status": "draft", "images": [{"upload_id": image["upload_id"]}]}
    made = await creator.post("/api/v1/notes", json=draft)
    assert made.status_code == 201, made.text
    body = {"items": [{"kind": "note", "id": made.json()["id"]}], "target": "en"}
    assert (await shopper.post("/api/v1/translate", json=body)).status_code == 404
    assert (await creator.post("/api/v1/translate", json=body)).status_code == 503


async def test_without_a_provider_the_translate_links_are_not_rendered(app: Litestar) -> None:
    assert render_translate_macros(app).strip() == ""
