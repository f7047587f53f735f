"""The interface in English and Chinese (issue 15): negotiation through the real app, the switcher,
the saved preference, pages and API errors in Chinese, and English unchanged by default."""

from __future__ import annotations

import json
import re

from tests.helpers import PASSWORD, Client, make_note, make_product, register

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _html_lang(text: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', text)
    assert match, text[:200]
    return match.group(1)


async def test_english_by_default_and_chinese_from_accept_language(client: Client) -> None:
    page = await client.get("/")
    assert _html_lang(page.text) == "en"
    assert ">Discover<" in page.text
    chinese = await client.get("/", headers=ZH)
    assert _html_lang(chinese.text) == "zh-Hans"
    assert ">发现<" in chinese.text
    assert ">购物车<" in chinese.text


async def test_query_beats_cookie_beats_header(client: Client) -> None:
    assert _html_lang((await client.get("/?lang=en", headers=ZH)).text) == "en"
    client.cookies.set("lang", "zh_Hans")
    assert _html_lang((await client.get("/", headers={"Accept-Language": "en"})).text) == "zh-Hans"
    assert _html_lang((await client.get("/?lang=en")).text) == "en"


async def test_unknown_lang_and_hostile_headers_are_ignored(client: Client) -> None:
    odd = await client.get("/?lang=xx", headers=ZH)
    assert odd.status_code == 200
    assert _html_lang(odd.text) == "zh-Hans"
    for header in ("x" * 10_240, "zh;q=;;;,,," * 900, ";q=1e999, *;q=NaN", b"zh-\xff\xfe"):
        page = await client.get("/", headers={"Accept-Language": header})
        assert page.status_code == 200
    bad_cookie = await client.get("/", headers={"Cookie": "lang=" + "z" * 5000})
    assert bad_cookie.status_code == 200
    assert _html_lang(bad_cookie.text) == "en"


async def test_the_switcher_sets_the_cookie_and_saves_the_preference(
    client: Client, other_client: Client
) -> None:
    await register(client, "lang@example.com")
    switched = await client.form("/language", {"lang": "zh_Hans", "next": "/cart"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/cart"
    assert "lang=zh_Hans" in switched.headers["set-cookie"]
    assert _html_lang((await client.get("/cart")).text) == "zh-Hans"
    # The same user in a browser without the cookie: the saved preference beats Accept-Language.
    signed_in = await other_client.post(
        "/api/v1/auth/login", json={"email": "lang@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code in (200, 201), signed_in.text
    other_client.cookies.delete("lang")
    page = await other_client.get("/", headers={"Accept-Language": "en-US"})
    assert _html_lang(page.text) == "zh-Hans"
    assert _html_lang((await other_client.get("/?lang=en")).text) == "en"


async def test_the_switcher_refuses_an_unknown_language_and_an_open_redirect(client: Client) -> None:
    refused = await client.form("/language", {"lang": "klingon", "next": "/"})
    assert refused.status_code == 422
    away = await client.form("/language", {"lang": "en", "next": "//evil.example"})
    assert away.headers["location"] == "/"
    no_token = await client.form("/language", {"lang": "en"}, csrf=False)
    assert no_token.status_code == 403


async def test_api_errors_in_chinese(client: Client) -> None:
    missing = await client.get("/api/v1/notes/999999", headers=ZH)
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "没有这篇笔记。"}
    unknown_route = await client.get("/api/v1/no-such-thing?lang=zh_Hans")
    assert unknown_route.json()["message"] == "找不到。"
    english = await client.get("/api/v1/notes/999999")
    assert english.json()["message"] == "No such note."


async def test_field_errors_in_chinese(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/register?lang=zh_Hans",
        json={"email": "x@example.com", "password": "short", "display_name": "x" * 61, "role": "shopper"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "有些内容填写不正确。"
    assert "最多 60 个字符" in json.dumps(body["fields"], ensure_ascii=False)


async def test_csrf_refusal_in_chinese(client: Client) -> None:
    response = await client.send("POST", "/api/v1/cart/lines", csrf=False, json={}, headers=ZH)
    assert response.status_code == 403
    assert response.json()["message"] == "CSRF 令牌缺失或错误，请刷新页面后重试。"  # noqa: RUF001


async def test_note_and_feed_pages_in_chinese(client: Client, merchant: Client) -> None:
    product = await make_product(merchant, "Dew Serum", price=12345)
    note = await make_note(merchant, [product["id"]], title="我的护肤步骤")
    feed = await client.get("/?lang=zh_Hans")
    assert "我的护肤步骤" in feed.text
    page = await client.get(f"/notes/{note['id']}?lang=zh_Hans")
    assert page.status_code == 200
    assert "笔记中的商品" in page.text
    assert "0 条评论" in page.text
    assert "US$123.45" in page.text  # Chinese marks a dollar price apart from a yuan one
    assert "$123.45" in (await client.get(f"/notes/{note['id']}")).text


async def test_the_page_carries_the_js_catalog(client: Client) -> None:
    page = await client.get("/?lang=zh_Hans")
    match = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page.text, re.S)
    assert match
    catalog = json.loads(match.group(1))
    assert catalog["New notification"] == "新通知"
    english = re.search(r'id="i18n">(.*?)</script>', (await client.get("/")).text, re.S)
    assert english
    assert json.loads(english.group(1)) == {}
