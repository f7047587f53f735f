"""The app's one source of "now": every deadline, stamp and window reads `clock.now()`.

Holds, sales, sessions and event stamps all compare times written by different code paths; one
clock keeps them consistent, and lets a test move time (`advance`, `set`, `reset`) instead of
sleeping or rewriting rows. The offset lives in this process only, on purpose: nothing outside a
test's own process (no env var, no endpoint) can move a running server's clock.

Durations measured inside one process (rate-limit windows, the ticker's pacing) use
`time.monotonic()` instead: they must not jump when a test moves the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC) + _offset


def timestamp() -> float:
    """`now()` as Unix seconds, rounded to the millisecond: the `ts` of socket messages."""
    return round(now().timestamp(), 3)


def advance(delta: timedelta) -> None:
    """Move time forward (or back, with a negative delta) for every later `now()`."""
    global _offset
    _offset += delta


def set(moment: datetime) -> None:  # `clock.set(...)`: this module never needs the builtin
    """Make `now()` read `moment` (aware) from here on; time keeps running from there."""
    if moment.tzinfo is None:
        raise ValueError("clock.set needs an aware datetime")
    global _offset
    _offset = moment - datetime.now(UTC)


def reset() -> None:
    """Back to the real time."""
    global _offset
    _offset = timedelta(0)
