"""Sentences the app stores in English with values in them, said again in the reader's language.

An order's reason ("A refund of 500 was refused: …") is written once, by a job or a webhook, with
no reader; whoever opens the order later may read Chinese. A msgid registered here with `stored`
is kept in the column filled in English, and `say` reads it back: a plain msgid is translated as
it is, a filled one is matched against its msgid's pattern and filled again in the reader's
language. Anything else (what a person wrote, a provider's own words) is shown as stored.
"""

from __future__ import annotations

import re
from typing import Any

from shop.core.i18n import gettext

_PATTERNS: list[tuple[str, re.Pattern[str]]] = []


def stored(msgid: str) -> str:
    """Register a msgid whose English fill goes into the database; returns the msgid."""
    pattern = re.sub(r"%\\\((\w+)\\\)s", lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(msgid))
    _PATTERNS.append((msgid, re.compile(f"^{pattern}$", re.DOTALL)))
    return msgid


def fill(msgid: str, **values: Any) -> str:
    """The stored form: the msgid filled in English."""
    return msgid % values


def say(text: str) -> str:
    """`text` in the request's language, if it is a msgid or a registered msgid's fill."""
    if not text:
        return text
    said = gettext(text)
    if said != text:
        return said
    for msgid, pattern in _PATTERNS:
        if match := pattern.match(text):
            return gettext(msgid, **match.groupdict())
    return text
