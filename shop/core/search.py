"""Text search over a denormalised, lower-cased `search_text` column.

Plain `LIKE` on both SQLite and PostgreSQL keeps results identical across backends; every term
must match (AND). Terms are escaped so `%` and `_` are literal.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, and_

MAX_TERMS = 6


def terms(query: str | None) -> list[str]:
    if not query:
        return []
    words = re.findall(r"[^\s#,.;:!?()\"']+", query.lower())
    return words[:MAX_TERMS]


def matches_all(column: Any, query: str | None) -> ColumnElement[bool] | None:
    words = terms(query)
    if not words:
        return None
    return and_(*(column.like(f"%{_escape(word)}%", escape="\\") for word in words))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def normalise(*parts: str) -> str:
    return " ".join(part.lower() for part in parts if part)
