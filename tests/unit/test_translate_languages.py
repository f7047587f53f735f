"""The script check that decides, before any provider call, whether a text is sent and from what."""

from __future__ import annotations

import pytest

from shop.settings import Settings
from shop.translate import languages, providers
from shop.translate.languages import EN, MIXED, ZH


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("新手怎么用这个应用", ZH),
        ("我买了iPhone 15,真的很好用", ZH),  # a brand name in a Chinese sentence
        ("My glow routine, three steps", EN),
        ("Love this 口红 so much", MIXED),  # 2 Han (6) against 16 letters: 27%, not clearly either
        ("这个 serum 真的 really works", MIXED),
        ("🌿🌿 100% !!!", None),
        ("", None),
    ],
)
def test_detect(text: str, found: str | None) -> None:
    assert languages.detect(text) == found


@pytest.mark.parametrize(
    ("text", "target", "source"),
    [
        ("新手怎么用", "en", ZH),
        ("新手怎么用", ZH, None),  # already the reader's language: never sent
        ("Three steps", EN, None),
        ("Three steps", ZH, EN),
        ("这个 serum 真的 really works", EN, ZH),  # mixed: from the language that is not the reader's
        ("这个 serum 真的 really works", ZH, EN),
        ("🌿", EN, None),
    ],
)
def test_source_for(text: str, target: str, source: str | None) -> None:
    assert languages.source_for(text, target) == source


def test_providers_are_chosen_by_name_and_an_unknown_name_is_refused() -> None:
    assert providers.build(Settings(translate_provider="none")).available is False
    libre = providers.build(Settings(translate_provider="libretranslate", translate_zh_code="zh-Hans"))
    assert (libre.name, libre.available) == ("libretranslate", True)
    job = providers.Job("你好", ZH, EN)
    assert isinstance(libre, providers.LibreTranslate)
    assert libre.payload(job) == {"q": "你好", "source": "zh-Hans", "target": "en", "format": "text"}
    with pytest.raises(ValueError, match="TRANSLATE_PROVIDER"):
        providers.build(Settings(translate_provider="deepl"))
    # Another provider registers a factory under its name (this one lasts for the test session).
    providers.register("unit-test-provider", lambda _settings: providers.NoProvider())
    assert providers.build(Settings(translate_provider="unit-test-provider")).name == "none"
