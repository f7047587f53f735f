"""The dashboard's periods: today, 7 days, 30 days, and the period just before each.

Days are UTC days (the shop's orders and the engagement rollups are kept in UTC): "today" runs from
midnight UTC to now, and is compared with the same hours of yesterday; "7d" and "30d" are the last
7 or 30 whole days up to now, compared with the 7 or 30 days before them.
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
    now = now or clock.now()
    if period == Period.TODAY:
        start = datetime.combine(now.date(), time.min, tzinfo=UTC)
        length = now - start
        return Window(start, now), Window(start - timedelta(days=1), start - timedelta(days=1) + length)
    days = 7 if period == Period.WEEK else 30
    length = timedelta(days=days)
    return Window(now - length, now), Window(now - 2 * length, now - length)
