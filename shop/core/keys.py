"""Idempotency keys for calls that move money."""

from __future__ import annotations

import secrets


def new_key(*parts: object) -> str:
    """What the call is for, readable (`transfer-order-12-creator-7-1`), plus a random tail: two
    databases on one Stripe account (a reset test database, a second install) must never send the
    same key for different requests, and Stripe remembers keys for a day. The caller stores the
    key before the call; a retry reuses the stored value, never a new one."""
    return "-".join(str(part) for part in parts) + "-" + secrets.token_hex(5)
