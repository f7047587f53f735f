"""Human words for the status values stored in the database (one table, used by every template).

Orders, refunds, payments, streams and flash sales all store machine words such as
`partially_refunded`; pages show `{{ order.status | status_label }}` instead.
"""

from __future__ import annotations

import math
from datetime import datetime

from shop.core import clock

STATUS_LABELS = {
    "pending_payment": "Awaiting payment",
    "paid": "Paid",
    "canceled": "Canceled",
    "refunded": "Refunded",
    "partially_refunded": "Partially refunded",
    "fulfilled": "Shipped",
    "pending": "Pending",
    "succeeded": "Succeeded",
    "failed": "Failed",
    "requires_action": "Needs confirmation",
    "scheduled": "Scheduled",
    "live": "Live",
    "ended": "Ended",
    "sold_out": "Sold out",
    "held": "Held",
    "sold": "Sold",
    "released": "Released",
}


def status_label(value: object) -> str:
    """The label for a status; an unknown one still reads as words ("on_hold" → "On hold")."""
    word = str(getattr(value, "value", value) or "")
    return STATUS_LABELS.get(word) or word.replace("_", " ").capitalize()


def held_for(expires_at: datetime | None, now: datetime | None = None) -> str:
    """ "Held for you for 9 min": the page's text before (and without) JS, which then counts down."""
    if expires_at is None:
        return ""
    seconds = int((expires_at - (now or clock.now())).total_seconds())
    if seconds <= 0:
        return "Your hold has ended: pay now and we will check the stock again."
    if seconds < 60:
        return "Held for you for less than a minute"
    return f"Held for you for {math.ceil(seconds / 60)} min"
