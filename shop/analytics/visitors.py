"""Who a visitor is, as far as engagement counts go: a daily-salted hash and nothing else.

A signed-in visitor is their user id; an anonymous one is a random token in a browser-session
cookie (`zc_visitor`, set by the first events call: an anonymous session stores nothing server-side,
so there is no session id to use). Either is hashed as

    HMAC-SHA256(key = HMAC-SHA256(signing_key, "zc-engagement|" + UTC day), "u:{id}" | "b:{token}")

truncated to 128 bits. The key changes every UTC day, so one person's rows of two days share no
value: without the server's signing key the hashes cannot be joined across days, nor turned back
into a user id. No IP address, user agent or user id is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from shop.accounts.models import User

COOKIE = "zc_visitor"


def day_key(signing_key: str, day: date) -> bytes:
    return hmac.new(
        signing_key.encode(), f"zc-engagement|{day.isoformat()}".encode(), hashlib.sha256
    ).digest()


def visitor_hash(signing_key: str, day: date, identity: str) -> str:
    return hmac.new(day_key(signing_key, day), identity.encode(), hashlib.sha256).hexdigest()[:32]


def identify(
    request: Request[Any, Any, Any], user: User | None, *, secure: bool
) -> tuple[str, Cookie | None]:
    """(the identity to hash, a cookie to set when an anonymous browser has none yet)."""
    if user is not None:
        return f"u:{user.id}", None
    token = request.cookies.get(COOKIE, "")
    if 16 <= len(token) <= 64 and token.isascii():
        return f"b:{token}", None
    token = secrets.token_urlsafe(24)
    # No max-age: a browser-session cookie, gone when the browser closes; HttpOnly, never read by JS.
    return f"b:{token}", Cookie(
        key=COOKIE, value=token, httponly=True, samesite="lax", secure=secure, path="/"
    )
