"""A notification's words in the reader's language, decided when it is read, not when it is written.

A row keeps its kind and a subject. Most subjects are what someone wrote (a note's title, a shop's
suspension reason) and are shown as they are. The ones the app words itself are stored as a msgid
filled with its values, in English, and said again in the reader's language when listed:

- refund / shipped: one of `SUBJECTS`, read back with the msgid's own pattern (shop/core/stored_words.py:
  "US$5.00 back on order #12" gives amount and order), so rows written before this module read in Chinese too;
- deal: "<step> · <the other party's name>", the step one of the msgids the deals code marks with N_
  ("accepted your offer"); only the step is translated, the name is the party's own.

Anything that does not match is shown as stored, never an error.
"""

from __future__ import annotations

import json

from shop.core import stored_words
from shop.core.i18n import N_, gettext

SUBJECTS = {
    "refund": stored_words.stored(N_("%(amount)s back on order #%(order)s")),
    "shipped": stored_words.stored(N_("Order #%(order)s is on its way")),
}
DEAL_SEPARATOR = " · "


def subject(kind: str, **values: object) -> str:
    """The stored form of an app-worded subject: the msgid filled in English."""
    return stored_words.fill(SUBJECTS[kind], **values)


def deal_subject(step: str, party: str) -> str:
    return f"{step}{DEAL_SEPARATOR}{party}"


def render(kind: str, stored: str) -> str:
    """The subject as the reader reads it (the request's language)."""
    if not stored:
        return stored
    if kind == "deal":
        step, separator, party = stored.partition(DEAL_SEPARATOR)
        return gettext(step) + separator + party if separator else gettext(stored)
    return stored_words.say(stored) if kind in SUBJECTS else stored


def render_push(raw: str) -> str:
    """A pushed notification (JSON) with its subject in the listening browser's language."""
    try:
        message = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(message, dict) or not isinstance(message.get("subject"), str):
        return raw
    said = render(str(message.get("kind", "")), message["subject"])
    if said == message["subject"]:
        return raw
    return json.dumps({**message, "subject": said}, separators=(",", ":"), ensure_ascii=False)
