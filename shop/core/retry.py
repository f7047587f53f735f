"""Retrying the rows a background job works on: attempts, the last error, the next try.

A job takes one item (a stored webhook event, a refund, a payment attempt, a flash sale) at a time.
When an item fails, the failure is written on the item itself, so an operator can read it and the
job moves on to the next item instead of dying. The first retry comes at the next pass (the common
failure is a race that is over by then), later ones back off exponentially; after `max_attempts`
failures the job gives up on the item and the caller marks it for an operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ColumnElement, String, or_
from sqlalchemy.orm import Mapped, mapped_column

ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_s: float = 60.0
    cap_s: float = 3600.0

    def delay(self, failures: int) -> timedelta:
        """The wait after the `failures`-th failure: 0, base, 2·base, 4·base … up to the cap."""
        if failures <= 1:
            return timedelta(0)
        return timedelta(seconds=min(self.base_s * 2 ** (failures - 2), self.cap_s))


def describe(error: BaseException) -> str:
    """One line for the row and the log: the error's class (what kind) and its message (which)."""
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return text[:ERROR_CHARS]


class Retried:
    """Columns for a row a job retries. `failures` counts failed tries only."""

    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(ERROR_CHARS), default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    def record_failure(self, error: str, policy: RetryPolicy, now: datetime) -> bool:
        """Write the failure down; True when this was the last try the policy allows."""
        self.failures += 1
        self.last_error = error[:ERROR_CHARS]
        self.next_attempt_at = now + policy.delay(self.failures)
        return self.failures >= policy.max_attempts

    def clear_failures(self) -> None:
        self.next_attempt_at = None

    @classmethod
    def due(cls, now: datetime) -> ColumnElement[bool]:
        """Rows whose backoff is over (or never started)."""
        return or_(cls.next_attempt_at.is_(None), cls.next_attempt_at <= now)
