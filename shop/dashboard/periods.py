"""The dashboard's periods: today, 7 days, 30 days, and the period just before each.

Days are UTC days (the shop's orders and the engagement rollups are kept in UTC). Sales are rolled
up by the hour, so every window starts on an hour: "today" runs from midnight UTC to now and is
compared with yesterday up to the end of the same hour; "7d" and "30d" run from the start of the
hour 7 or 30 days ago up to now, compared with the 7 or 30 days before that.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from shop.core import clock


class Period(enum.StrEnum):
    TODAY = "today"
    WEEK = "7d"
    MONTH = "30d"


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        first, last = self.start.date(), (self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def windows(period: Period, now: datetime | None = None) -> tuple[Window, Window]:
    """(this period, the one before it), both [start, end)."""
    now = (now or clock.now()).astimezone(UTC)
    if period == Period.TODAY:
        start = datetime.combine(now.date(), time.min, tzinfo=UTC)
        hours_begun = _hour(now) + timedelta(hours=1) - start
        yesterday = start - timedelta(days=1)
        return Window(start, now), Window(yesterday, yesterday + hours_begun)
    length = timedelta(days=7 if period == Period.WEEK else 30)
    start = _hour(now - length)
    return Window(start, now), Window(start - length, start)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
