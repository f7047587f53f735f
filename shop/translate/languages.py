"""A cheap script check: is a text Chinese, English, or a mix? Decided before any provider call.

Only two languages exist here (en, zh_Hans), so counting Han characters against Latin letters is
enough. A Han character carries about as much as a short English word, so it weighs as three letters.
A text at least 80% one script is in that language; anything between is mixed, and a mixed text is
always sent (its other-language part is what the reader asked for), from the language that is not
the reader's.
"""

from __future__ import annotations

import re

EN, ZH = "en", "zh_Hans"
LANGUAGES = (EN, ZH)
MIXED = "mixed"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
HAN_WEIGHT = 3
CLEAR_SHARE = 0.8


def detect(text: str) -> str | None:
    """EN, ZH or MIXED; None when the text has no letters at all (emoji, numbers, punctuation)."""
    han = HAN_WEIGHT * len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if not han and not latin:
        return None
    share = han / (han + latin)
    if share >= CLEAR_SHARE:
        return ZH
    if share <= 1 - CLEAR_SHARE:
        return EN
    return MIXED


def source_for(text: str, target: str) -> str | None:
    """The language to translate `text` from for a reader of `target`; None: nothing to send."""
    found = detect(text)
    if found is None or found == target:
        return None
    if found == MIXED:
        return next(language for language in LANGUAGES if language != target)
    return found
