"""Locale negotiation and locale formatting (issue 15): no app, no request, just the rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shop.core import i18n
from shop.core.errors import InvalidInput, NotFound
from shop.core.labels import held_for, status_label, status_text
from shop.core.money import format_money
from shop.core.pages import compact_count, counted, day, relative_time

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def zh() -> Iterator[None]:
    token = i18n.use(i18n.RequestLocale("zh_Hans", "query"))
    yield
    i18n._current.reset(token)


def test_negotiation_order_query_cookie_header_default() -> None:
    cookie = {"lang": "zh_Hans"}
    assert i18n.negotiate(b"lang=en", cookie, "zh-CN") == i18n.RequestLocale("en", "query")
    assert i18n.negotiate(b"", cookie, "en-US") == i18n.RequestLocale("zh_Hans", "cookie")
    assert i18n.negotiate(b"", {}, "zh-CN,zh;q=0.9,en;q=0.8") == i18n.RequestLocale("zh_Hans", "header")
    assert i18n.negotiate(b"", {}, None) == i18n.RequestLocale("en", "default")


def test_an_unknown_lang_is_ignored_not_an_error() -> None:
    assert i18n.negotiate(b"lang=xx", {}, "zh-CN") == i18n.RequestLocale("zh_Hans", "header")
    assert i18n.negotiate(b"lang=%00%ff&lang=", {"lang": "klingon"}, None).locale == "en"
    assert i18n.negotiate("q=tea&lang=zh-Hans", {}, None).locale == "zh_Hans"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,zh-TW;q=0.5,en;q=0.4", "zh_Hans"),  # the best supported one, by quality
        ("en;q=0.2, zh-Hans;q=0.9", "zh_Hans"),
        ("zh;q=abc, en", "en"),  # a quality that does not parse drops its entry only
        ("zh;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        (";;;,,,=q", None),
        ("x" * 10_000, None),
        ("fr, " * 3000 + "zh", None),  # past the cap: read no further
        ("\x00\xff-zh", None),
    ],
)
def test_accept_language_is_parsed_safely(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_a_saved_preference_beats_the_header_but_not_the_cookie() -> None:
    for source, after in (("header", "zh_Hans"), ("default", "zh_Hans"), ("cookie", "en"), ("query", "en")):
        current = i18n.RequestLocale("en", source)
        token = i18n.use(current)
        i18n.apply_user_preference("zh_Hans")
        i18n._current.reset(token)
        assert current.locale == after, source


def test_html_lang() -> None:
    assert i18n.html_lang("zh_Hans") == "zh-Hans"
    assert i18n.html_lang("en") == "en"


def test_money_in_english_is_unchanged() -> None:
    assert format_money(123450, "USD") == "$1,234.50"
    assert format_money(1234, "JPY") == "¥1,234"
    assert format_money(1250, "CAD") == "12.50 CAD"


def test_money_in_chinese_marks_the_currency(zh: None) -> None:
    assert format_money(123450, "CNY") == "¥1,234.50"
    assert format_money(123450, "USD") == "US$1,234.50"
    assert format_money(1234, "JPY") == "JP¥1,234"
    assert format_money(1005, "KWD") == "KWD1.005"


def test_counts() -> None:
    assert [compact_count(n) for n in (999, 1234, 12_345, 2_500_000)] == ["999", "1.2k", "12.3k", "2.5M"]
    assert counted(1, "follower", "followers") == "1 follower"
    assert counted(12_345, "follower", "followers") == "12.3k followers"


def test_counts_in_chinese(zh: None) -> None:
    assert [compact_count(n) for n in (999, 9999, 12_345, 123_456_789)] == ["999", "9999", "1.2万", "1.2亿"]
    assert counted(12_345, "follower", "followers") == "1.2万 粉丝"


def test_relative_times() -> None:
    ago = [relative_time(NOW - delta, NOW) for delta in (timedelta(seconds=5), timedelta(minutes=3))]
    assert ago == ["just now", "3 min ago"]
    assert relative_time(NOW - timedelta(hours=5), NOW) == "5 h ago"
    assert relative_time(NOW - timedelta(days=40), NOW) == "23 Jan"
    assert day(NOW) == "Mar 4, 2026"


def test_relative_times_in_chinese(zh: None) -> None:
    ago = [relative_time(NOW - timedelta(seconds=s), NOW) for s in (5, 180, 5 * 3600, 2 * 86400)]
    assert ago == ["刚刚", "3分钟前", "5小时前", "2天前"]
    assert relative_time(NOW - timedelta(days=40), NOW) == "1月23日"
    assert relative_time(datetime(2025, 3, 4, tzinfo=UTC), NOW) == "2025年3月4日"
    assert day(NOW) == "2026年3月4日"


def test_labels_in_chinese(zh: None) -> None:
    assert status_label("sold_out") == "已售罄"
    assert status_label("on_hold") == "On hold"  # unknown words still read as words
    assert held_for(NOW + timedelta(minutes=9), NOW) == "为你保留 9 分钟"


def test_error_bodies_in_chinese(zh: None) -> None:
    assert NotFound().to_body() == {"code": "not_found", "message": "找不到。"}
    body = InvalidInput(fields={"quantity": "More than in stock."}).to_body()
    assert body == {
        "code": "validation_error",
        "message": "有些内容填写不正确。",
        "fields": {"quantity": "超过库存。"},
    }


def test_pydantic_messages_are_translated_by_pattern(zh: None) -> None:
    assert i18n.translate_field_error("String should have at most 60 characters") == "最多 60 个字符"
    assert i18n.translate_field_error("String should have at least 1 character") == "至少需要 1 个字符"
    assert i18n.translate_field_error("Field required") == "必填"
    assert i18n.translate_field_error("Value error, Not an email.") == "不是邮箱。"
    assert i18n.translate_field_error("Something we never wrote") == "Something we never wrote"


def test_the_js_catalog_holds_only_js_strings() -> None:
    catalog = i18n.js_catalog("zh_Hans")
    assert catalog["New notification"] == "新通知"
    assert "Add to cart" not in catalog or "Add to cart" in _js_msgids()
    assert i18n.js_catalog("en") == {}


def _js_msgids() -> set[str]:
    import re

    text = "".join(path.read_text() for path in (i18n.LOCALE_DIR.parent / "static" / "js").glob("*.js"))
    return set(re.findall(r"""\bt\(\s*["']([^"']+)["']""", text))


def test_a_message_with_values_is_said_in_the_readers_language(zh: None) -> None:
    message = i18n.N_("Only %(n)s left of %(name)s.", n=2, name="Dew Serum")
    assert message == "Only 2 left of Dew Serum."  # a plain English string wherever it is not shown
    body = NotFound(message, fields={"quantity": i18n.N_("At most %(n)s per line.", n=99)}).to_body()
    assert body == {
        "code": "not_found",
        "message": "Dew Serum 只剩 2 件了。",
        "fields": {"quantity": "每件商品最多 99 件。"},
    }
    status = i18n.N_("This offer is %(status)s.", status=status_text("declined"))
    assert status == "This offer is declined."
    assert i18n.gettext(status) == "这个邀约已拒绝。"
    assert i18n.translate_field_error(message) == "Dew Serum 只剩 2 件了。"


def test_no_error_is_raised_with_an_f_string() -> None:
    """An f-string's msgid changes with its values, so the catalog can never hold it: use N_ with values."""
    import ast

    from shop.core.i18n_extract import ERRORS, _name

    found = []
    for folder in ("shop", "live", "payments"):
        for path in (i18n.LOCALE_DIR.parents[1] / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and _name(node.func) in ERRORS):
                    continue
                texts = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "message")]
                for keyword in node.keywords:
                    if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                        texts.extend(keyword.value.values)
                found += [f"{path.name}:{node.lineno}" for text in texts if isinstance(text, ast.JoinedStr)]
    assert found == []
