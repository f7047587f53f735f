"""Opaque keyset cursors: the client never builds or reads them."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.core.schemas import MAX_ID


def cursor_int(value: Any) -> bool:
    """An integer a cursor may carry to the database. A cursor is ours, but a client can forge
    one: its numbers must fit a BIGINT like any id (and a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(fields={"cursor": "This cursor is not valid."}) from None
    if not isinstance(values, dict):
        raise InvalidInput(fields={"cursor": "This cursor is not valid."})
    return values


def clamp_limit(limit: int | None, default: int = 20, maximum: int = 50) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > maximum:
        raise InvalidInput(fields={"limit": N_("Use a limit between 1 and %(n)s.", n=maximum)})
    return limit


def cursor_id(cursor: str | None) -> int | None:
    values = decode_cursor(cursor)
    if values is None:
        return None
    after = values.get("id")
    if not cursor_int(after):
        raise InvalidInput(fields={"cursor": "This cursor is not valid."})
    return after


def cursor_ints(cursor: str | None, *keys: str) -> tuple[int, ...] | None:
    """The integers a composite keyset cursor holds under `keys` (a rate and an id, say)."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    found = tuple(values.get(key) for key in keys)
    if not all(cursor_int(v) for v in found):
        raise InvalidInput(fields={"cursor": "This cursor is not valid."})
    return found  # type: ignore[return-value]
