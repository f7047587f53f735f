"""Translating what people wrote (issue 15) against a LibreTranslate-compatible stub on loopback.

The app sends each text that needs it to the stub over real HTTP; the tests assert the exact request,
the cache, the language check, the limits, the rights and what a provider fault becomes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.notes.models import Note
from shop.settings import Settings
from shop.translate.models import Translation
from tests.helpers import Client, make_note, png_bytes, upload
from tests.integration.test_chat_moderation import moderated_room, say
from tests.live_helpers import bearer
from tests.translate_stub import (
    SCRIPT,
    TranslateStub,
    render_translate_macros,
    running_stub,
    translating_settings,
)

ZH_TITLE = "新手怎么用这个应用"
ZH_BODY = "先关注几位创作者,然后在发现页看笔记。喜欢的商品可以直接加入购物车。"
PER_MINUTE = 6


@pytest.fixture
async def stub() -> AsyncIterator[TranslateStub]:
    async with running_stub() as running:
        yield running


@pytest.fixture
def settings(base_settings: Settings, stub: TranslateStub) -> Settings:
    return translating_settings(base_settings, stub, PER_MINUTE)


async def translate(client: Client, items: list[dict[str, Any]], target: str = "en") -> dict[str, Any]:
    response = await client.post("/api/v1/translate", json={"items": items, "target": target})
    assert response.status_code == 200, response.text
    return dict(response.json())


def by_part(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["part"]: item for item in answer["items"]}


async def test_a_chinese_note_is_sent_exactly_as_libretranslate_expects_and_labelled(
    creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body=ZH_BODY)
    answer = await translate(shopper, [{"kind": "note", "id": note["id"]}])
    assert [r["path"] for r in stub.requests] == ["/translate", "/translate"]
    sent = sorted((r["json"] for r in stub.requests), key=lambda body: len(body["q"]))
    common = {"source": "zh", "target": "en", "format": "text", "api_key": "lt-key-123"}
    assert sent == [{"q": ZH_TITLE, **common}, {"q": ZH_BODY, **common}]
    parts = by_part(answer)
    assert (answer["target"], answer["provider"]) == ("en", "libretranslate")
    assert parts["title"] == {
        "kind": "note",
        "id": note["id"],
        "stream_id": None,
        "seq": None,
        "part": "title",
        "status": "translated",
        "text": f"[zh>en] {ZH_TITLE}",
        "original": ZH_TITLE,
        "source": "zh_Hans",
        "reason": None,
    }
    assert parts["body"]["text"] == f"[zh>en] {ZH_BODY}"


async def test_a_second_request_is_answered_from_the_cache_without_a_provider_call(
    creator: Client, shopper: Client, other_shopper: Client, stub: TranslateStub, db: AsyncSession
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body=ZH_BODY)
    first = await translate(shopper, [{"kind": "note", "id": note["id"]}])
    assert len(stub.requests) == 2
    again = await translate(other_shopper, [{"kind": "note", "id": note["id"]}])
    assert len(stub.requests) == 2
    assert again["items"] == first["items"]
    # Kept by hash: the cache holds no copy of the text itself.
    rows = (await db.execute(select(Translation.text_sha256, Translation.source, Translation.target))).all()
    assert len(rows) == 2
    assert all(len(row[0]) == 64 and row[1:] == ("zh_Hans", "en") for row in rows)
    # Another target is another key: sent again.
    back = await translate(shopper, [{"kind": "note", "id": note["id"]}], target="zh_Hans")
    assert len(stub.requests) == 2
    assert {i["reason"] for i in back["items"]} == {"same_language"}


async def test_text_already_in_the_readers_language_is_never_sent(
    creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title="My glow routine", body="Three steps 🌿 #skincare")
    comment = await shopper.post(f"/api/v1/notes/{note['id']}/comments", json={"body": "🌿🌿 100%"})
    assert comment.status_code == 201, comment.text
    items = [{"kind": "note", "id": note["id"]}, {"kind": "comment", "id": comment.json()["id"]}]
    answer = await translate(shopper, items)
    assert stub.requests == []
    assert [(i["part"], i["status"], i["reason"], i["text"]) for i in answer["items"]] == [
        ("title", "unchanged", "same_language", "My glow routine"),
        ("body", "unchanged", "same_language", "Three steps 🌿 #skincare"),
        ("text", "unchanged", "no_words", "🌿🌿 100%"),
    ]


async def test_a_mixed_language_text_is_sent_from_the_language_that_is_not_the_readers(
    creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    """The rule (shop/translate/languages.py): at least 80% one script is that language; between,
    mixed, and a mixed text is sent from the other language, whichever way the reader reads."""
    mixed = "这个 serum 真的 really works, 推荐 to everyone"
    note = await make_note(creator, [], title=mixed, body="")
    to_en = by_part(await translate(shopper, [{"kind": "note", "id": note["id"]}]))
    to_zh = by_part(await translate(shopper, [{"kind": "note", "id": note["id"]}], target="zh_Hans"))
    assert [(r["json"]["q"], r["json"]["source"], r["json"]["target"]) for r in stub.requests] == [
        (mixed, "zh", "en"),
        (mixed, "en", "zh"),
    ]
    assert (to_en["title"]["status"], to_zh["title"]["status"]) == ("translated", "translated")
    assert to_en["body"]["reason"] == "no_words"  # an empty body is never sent


async def test_a_chat_batch_is_translated_and_a_deleted_line_is_not_found(
    creator: Client, shopper: Client, other_shopper: Client, stub: TranslateStub
) -> None:
    stream_id = await moderated_room(creator, shopper)
    lines = [await say(other_shopper, stream_id, text) for text in ("这个多少钱", "so pretty", "包邮吗")]
    items = [{"kind": "chat", "stream_id": stream_id, "seq": line["seq"]} for line in lines]
    answer = await translate(other_shopper, items)
    assert [(i["seq"], i["status"], i["text"]) for i in answer["items"]] == [
        (lines[0]["seq"], "translated", "[zh>en] 这个多少钱"),
        (lines[1]["seq"], "unchanged", "so pretty"),
        (lines[2]["seq"], "translated", "[zh>en] 包邮吗"),
    ]
    assert sorted(stub.texts()) == sorted(["这个多少钱", "包邮吗"])
    gone = await shopper.delete(f"/api/v1/streams/{stream_id}/chat/{lines[0]['seq']}")
    assert gone.status_code == 204
    refused = await other_shopper.post("/api/v1/translate", json={"items": items[:1], "target": "en"})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    too_many = [{"kind": "chat", "stream_id": stream_id, "seq": n} for n in range(1, 52)]
    refused = await other_shopper.post("/api/v1/translate", json={"items": too_many, "target": "en"})
    assert refused.status_code == 422
    assert "items" in refused.json()["fields"]


async def draft(client: Client, title: str, body: str) -> int:
    image = await upload(client, png_bytes(60, 80))
    made = await client.post(
        "/api/v1/notes",
        json={"title": title, "body": body, "status": "draft", "images": [{"upload_id": image["upload_id"]}]},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_someone_elses_private_draft_is_not_found_and_its_author_may_translate_it(
    creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note_id = await draft(creator, ZH_TITLE, ZH_BODY)
    secret = {"kind": "note", "id": note_id}
    refused = await shopper.post("/api/v1/translate", json={"items": [secret], "target": "en"})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    # One unseen item in a batch refuses the batch (nothing says which of them exist).
    public = await make_note(creator, [], title=ZH_TITLE, body=ZH_BODY)
    batch = {"items": [{"kind": "note", "id": public["id"]}, secret], "target": "en"}
    assert (await shopper.post("/api/v1/translate", json=batch)).status_code == 404
    assert stub.requests == []
    mine = await translate(creator, [{"kind": "note", "id": note_id}])
    assert {i["status"] for i in mine["items"]} == {"translated"}


async def test_a_provider_returning_a_script_gives_plain_text_that_the_page_shows_as_text(
    creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    stub.mode = "script"
    note = await make_note(creator, [], title=ZH_TITLE, body="")
    response = await shopper.post(
        "/api/v1/translate", json={"items": [{"kind": "note", "id": note["id"]}], "target": "en"}
    )
    assert response.headers["content-type"].startswith("application/json")
    title = by_part(response.json())["title"]
    # Plain text, kept as the provider wrote it: translate.js sets it with textContent, so it is
    # shown as the characters < s c r i p t >, never parsed.
    assert (title["status"], title["text"]) == ("translated", SCRIPT)
    script = (await shopper.get("/static/js/translate.js")).text
    assert "textContent" in script
    assert "innerHTML" not in script


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("html_error", "provider_error"),
        ("html_ok", "bad_response"),
        ("slow", "timeout"),
        ("down", "unreachable"),
    ],
)
async def test_a_provider_fault_keeps_the_original_and_says_why(
    creator: Client, shopper: Client, stub: TranslateStub, settings: Settings, mode: str, reason: str
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body="")
    stub.mode = mode
    if mode == "down":
        await stub.stop()
    answer = await translate(shopper, [{"kind": "note", "id": note["id"]}])
    assert by_part(answer)["title"] == {
        "kind": "note",
        "id": note["id"],
        "stream_id": None,
        "seq": None,
        "part": "title",
        "status": "failed",
        "text": ZH_TITLE,
        "original": ZH_TITLE,
        "source": "zh_Hans",
        "reason": reason,
    }
    assert len(stub.requests) == (0 if mode == "down" else 1)
    # Nothing was cached: the next call asks again.
    if mode != "down":
        stub.mode = "ok"
        again = await translate(shopper, [{"kind": "note", "id": note["id"]}])
        assert by_part(again)["title"]["status"] == "translated"
        assert len(stub.requests) == 2


async def test_a_text_over_2000_characters_fails_alone_and_a_100_kb_body_is_refused(
    creator: Client, shopper: Client, stub: TranslateStub, db: AsyncSession
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body="很" * 2001)
    answer = by_part(await translate(shopper, [{"kind": "note", "id": note["id"]}]))
    assert (answer["body"]["status"], answer["body"]["reason"]) == ("failed", "text_too_long")
    assert answer["title"]["status"] == "translated"
    assert stub.texts() == [ZH_TITLE]
    # 100 kB of text in the DB (written past the API's own limit): refused by length, never sent.
    await db.execute(update(Note).where(Note.id == note["id"]).values(body="好" * 100_000))
    await db.commit()
    answer = by_part(await translate(shopper, [{"kind": "note", "id": note["id"]}]))
    assert answer["body"]["reason"] == "text_too_long"
    assert stub.texts() == [ZH_TITLE]
    # A 100 kB request body: refused before it is parsed.
    padded = {"items": [{"kind": "note", "id": note["id"]}], "target": "en", "pad": "x" * 100_000}
    refused = await shopper.post("/api/v1/translate", json=padded)
    assert refused.status_code == 413


async def test_each_user_has_a_rate_limit(creator: Client, shopper: Client, other_shopper: Client) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body="")
    body = {"items": [{"kind": "note", "id": note["id"]}], "target": "en"}
    for _ in range(PER_MINUTE):
        assert (await shopper.post("/api/v1/translate", json=body)).status_code == 200
    refused = await shopper.post("/api/v1/translate", json=body)
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
    assert int(refused.headers["retry-after"]) > 0
    assert (await other_shopper.post("/api/v1/translate", json=body)).status_code == 200


async def test_bad_input_is_a_clear_422_and_strangers_sign_in_first(
    creator: Client, shopper: Client, anonymous: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body="")
    item = {"kind": "note", "id": note["id"]}
    for body, field in [
        ({"items": [item], "target": "fr"}, "target"),
        ({"items": [], "target": "en"}, "items"),
        ({"items": [{**item, "text": "sneaky"}], "target": "en"}, "items"),
        ({"items": [{"kind": "note", "id": 2**60}], "target": "en"}, "items"),
        ({"items": [{"kind": "chat", "id": 1}], "target": "en"}, "items"),
    ]:
        refused = await shopper.post("/api/v1/translate", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert any(key.startswith(field) for key in refused.json()["fields"]), refused.text
    refused = await anonymous.post("/api/v1/translate", json={"items": [item], "target": "en"})
    assert refused.status_code == 401
    no_csrf = await shopper.send(
        "POST", "/api/v1/translate", csrf=False, json={"items": [item], "target": "en"}
    )
    assert no_csrf.status_code == 403
    assert stub.requests == []


async def test_the_cache_counts_one_row_per_text_and_language(
    creator: Client, shopper: Client, stub: TranslateStub, db: AsyncSession
) -> None:
    """Two notes with the same title: sent once, stored once."""
    first = await make_note(creator, [], title=ZH_TITLE, body="")
    second = await make_note(creator, [], title=ZH_TITLE, body="")
    items = [{"kind": "note", "id": first["id"]}, {"kind": "note", "id": second["id"]}]
    answer = await translate(shopper, items)
    assert [i["status"] for i in answer["items"] if i["part"] == "title"] == ["translated", "translated"]
    assert stub.texts() == [ZH_TITLE]
    assert await db.scalar(select(func.count()).select_from(Translation)) == 1


async def test_with_a_provider_the_translate_links_are_rendered(app: Litestar) -> None:
    html = render_translate_macros(app)
    assert 'data-translate data-kind="note" data-id="7"' in html
    assert "data-translate-chat" in html


async def test_a_script_with_an_api_token_translates_without_a_csrf_token(
    app: Litestar, creator: Client, shopper: Client, stub: TranslateStub
) -> None:
    note = await make_note(creator, [], title=ZH_TITLE, body="")
    created = await shopper.post("/api/v1/auth/tokens", json={"name": "reader"})
    assert created.status_code == 201, created.text
    async with bearer(app, created.json()["token"]) as script:
        answer = await script.post(
            "/api/v1/translate", json={"items": [{"kind": "note", "id": note["id"]}], "target": "en"}
        )
    assert answer.status_code == 200, answer.text
    assert by_part(answer.json())["title"]["text"] == f"[zh>en] {ZH_TITLE}"
