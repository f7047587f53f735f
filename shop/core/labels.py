"""Human words for the status values stored in the database (one table, used by every template).

Orders, refunds, payments, streams and flash sales all store machine words such as
`partially_refunded`; pages show `{{ order.status | status_label }}` instead.
"""

from __future__ import annotations

import math
from datetime import datetime

from shop.core import clock
from shop.core.i18n import N_, Text, gettext

STATUS_LABELS = {
    "pending_payment": N_("Awaiting payment"),
    "paid": N_("Paid"),
    "canceled": N_("Canceled"),
    "refunded": N_("Refunded"),
    "partially_refunded": N_("Partially refunded"),
    "fulfilled": N_("Shipped"),
    "pending": N_("Pending"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "requires_action": N_("Needs confirmation"),
    "scheduled": N_("Scheduled"),
    "live": N_("Live"),
    "ended": N_("Ended"),
    "sold_out": N_("Sold out"),
    "held": N_("Held"),
    "sold": N_("Sold"),
    "released": N_("Released"),
    # offers and deals (partnerships)
    "awaiting_payment": N_("Awaiting payment"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
    "submitted": N_("Submitted"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "published": N_("Published"),
    "completed": N_("Completed"),
    "disputed": N_("Disputed"),
}


ROLE_LABELS = {
    "shopper": N_("Shopper"),
    "creator": N_("Creator"),
    "merchant": N_("Merchant"),
    "operator": N_("Operator"),
}


def role_label(value: object) -> str:
    """ "creator" -> "Creator" (创作者): a user's role as a profile shows it."""
    word = str(value or "")
    label = ROLE_LABELS.get(word)
    return gettext(label) if label else word.capitalize()


def _labelled(labels: dict[str, str], value: object) -> str:
    """The label of a stored word in the reader's language; an unknown one still reads as words
    ("on_hold" → "On hold")."""
    word = str(getattr(value, "value", value) or "")
    label = labels.get(word)
    return gettext(label) if label else word.replace("_", " ").capitalize()


def status_label(value: object) -> str:
    return _labelled(STATUS_LABELS, value)


# A deal's statuses are the table's, but "active" (a product on sale: 在售) is a deal in progress.
# The deal page's timeline also names its steps with these (cancel_requested, settled).
DEAL_STATUS_LABELS = {
    **STATUS_LABELS,
    "active": N_("In progress"),
    "cancel_requested": N_("Cancel requested"),
    "settled": N_("Settled"),
}


def deal_status_label(value: object) -> str:
    return _labelled(DEAL_STATUS_LABELS, value)


def status_text(value: object, labels: dict[str, str] = STATUS_LABELS) -> str:
    """A status inside an error's sentence: its label in lower case, said in the reader's language."""
    word = str(getattr(value, "value", value) or "")
    label = labels.get(word)
    return Text.word(label) if label else word.replace("_", " ")


# Where a sale came from (order lines, the dashboard's GMV by source and its chart), and the
# dashboard funnel's steps (shop/analytics/funnel.py STEPS): one filter for the dashboard's words.
DASHBOARD_LABELS = {
    "note": N_("Notes"),
    "stream": N_("Live"),
    "direct": N_("Direct"),
    "note_views": N_("Note views"),
    "tag_taps": N_("Tag taps"),
    "product_views": N_("Product views"),
    "add_to_cart": N_("Added to cart"),
}


def source_label(value: object) -> str:
    return _labelled(DASHBOARD_LABELS, value)


def held_for(expires_at: datetime | None, now: datetime | None = None) -> str:
    """ "Held for you for 9 min": the page's text before (and without) JS, which then counts down."""
    if expires_at is None:
        return ""
    seconds = int((expires_at - (now or clock.now())).total_seconds())
    if seconds <= 0:
        return gettext("Your hold has ended: pay now and we will check the stock again.")
    if seconds < 60:
        return gettext("Held for you for less than a minute")
    return gettext("Held for you for %(n)s min", n=math.ceil(seconds / 60))
