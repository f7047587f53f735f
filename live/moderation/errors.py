"""Why a chat line or a like is refused. Bodies carry `retry_after` (null: not by waiting), so the
room can say "muted for 4 more minutes" without parsing a header."""

from __future__ import annotations

from shop.core.errors import AppError, PermissionDenied, RateLimited
from shop.core.i18n import N_


def _with_retry(error: AppError) -> dict[str, object]:
    return {**AppError.to_body(error), "retry_after": error.retry_after}


class Muted(PermissionDenied):
    code = "muted"
    default_message = N_("You are muted in this chat.")

    to_body = _with_retry


class Blocked(PermissionDenied):
    code = "blocked"
    default_message = N_("The host has blocked you from chatting and liking in their streams.")

    to_body = _with_retry


class CommentsOff(PermissionDenied):
    code = "comments_off"
    default_message = N_("Comments are turned off.")

    to_body = _with_retry


class SlowMode(RateLimited):
    code = "slow_mode"
    default_message = N_("Slow mode is on.")

    to_body = _with_retry
