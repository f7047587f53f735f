"""The interface's language: which one a request reads in, and its translated strings.

The language comes from, in order: `?lang=`, the `lang` cookie (the header's switcher), the signed-in
user's saved preference (applied by `current_user`, see `apply_user_preference`), `Accept-Language`,
else English. `LocaleMiddleware` decides the first, second and fourth before routing and keeps the
answer in a context variable, so any code on the request's path (errors, labels, templates) can call
`gettext` without being handed a request.

Catalogs live in shop/locale/<lang>/LC_MESSAGES/messages.po (msgids are the English text). A compiled
.mo next to it is used when it is at least as new; otherwise the .po is compiled in memory at the
first use, so a fresh clone works without `scripts/i18n compile`.
"""

from __future__ import annotations

import io
import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT = "en"
LOCALES = ("en", "zh_Hans")
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}
COOKIE = "lang"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

# Accept-Language is read from its first 512 characters and at most 16 entries: a 10 kB header costs
# no more than a normal one, and anything that does not parse is skipped, never an error.
HEADER_CAP = 512
_MAX_ENTRIES = 16


def normalize(value: object) -> str | None:
    """ "zh_Hans", "zh-Hans", "zh-CN", "zh", "EN-us" → a supported locale; anything else → None."""
    if not isinstance(value, str) or not 0 < len(value) <= 35:
        return None
    tag = value.strip().replace("_", "-").lower()
    primary = tag.split("-", 1)[0]
    if primary == "en":
        return "en"
    if (
        primary == "zh"
    ):  # Simplified is the one Chinese we have; a Traditional reader reads it better than English
        return "zh_Hans"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language in an Accept-Language header (quality order, ties in header order)."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:HEADER_CAP].split(",")[:_MAX_ENTRIES]):
        tag, _, params = part.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:7])
            except ValueError:
                continue
        locale = normalize(tag)
        if locale is not None and 0 < quality <= 1:
            choices.append((-quality, index, locale))
    return min(choices)[2] if choices else None


@dataclass(slots=True)
class RequestLocale:
    """The request's language and where it came from (a saved preference only beats the header)."""

    locale: str = DEFAULT
    source: str = "default"  # query | cookie | user | header | default


_current: ContextVar[RequestLocale | None] = ContextVar("zc_locale", default=None)


def negotiate(
    query_string: bytes | str, cookies: dict[str, str], accept_language: str | None
) -> RequestLocale:
    query = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    if "lang=" in query:
        for key, value in parse_qsl(query[:2000]):
            if key == "lang" and (locale := normalize(value)):
                return RequestLocale(locale, "query")
    if locale := normalize(cookies.get(COOKIE)):
        return RequestLocale(locale, "cookie")
    if locale := from_accept_language(accept_language):
        return RequestLocale(locale, "header")
    return RequestLocale()


def get_locale() -> str:
    current = _current.get()
    return current.locale if current else DEFAULT


def current() -> RequestLocale | None:
    return _current.get()


def use(locale: RequestLocale) -> Any:
    """Make `locale` the current one (returns the token to reset it); tests and jobs use it too."""
    return _current.set(locale)


def reset(token: Any) -> None:
    _current.reset(token)


def apply_user_preference(saved: str | None) -> None:
    """The signed-in user's saved language, unless `?lang=` or the cookie already chose one."""
    request_locale = _current.get()
    locale = normalize(saved)
    if request_locale is not None and locale and request_locale.source in ("header", "default"):
        request_locale.locale, request_locale.source = locale, "user"


def html_lang(locale: str | None = None) -> str:
    return HTML_LANG.get(locale or get_locale(), "en")


def babel_locale(locale: str | None = None) -> Locale:
    return _babel_locale(locale or get_locale())


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse("zh_Hans_CN" if locale == "zh_Hans" else "en_US")


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT or locale not in LOCALES:
        return NullTranslations()
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain="messages")
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


class Text(str):
    """English text that keeps its msgid and values (`N_("At most %(n)s.", n=5)`): it reads as English
    wherever it is a plain string (logs, a stored column), and `gettext` says it in the reader's language
    when it is shown. Values that are themselves `Text` (a status label) are translated too."""

    msgid: str
    values: dict[str, Any]
    lowercase: bool = False

    @classmethod
    def of(cls, msgid: str, **values: Any) -> Text:
        text = cls(msgid % values if values else msgid)
        text.msgid, text.values = msgid, values
        return text

    @classmethod
    def word(cls, msgid: str) -> Text:
        """A label inside a sentence, in lower case ("This deal is changes requested.")."""
        text = cls(msgid.lower())
        text.msgid, text.values, text.lowercase = msgid, {}, True
        return text


def gettext(message: str, **variables: Any) -> str:
    if isinstance(message, Text):
        values = {
            key: gettext(value) if isinstance(value, Text) else value for key, value in message.values.items()
        }
        text = gettext(message.msgid, **values, **variables)
        return text.lower() if message.lowercase else text
    text = translations(get_locale()).gettext(message) if message else message
    return text % variables if variables else str(text)


def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
    text = translations(get_locale()).ngettext(singular, plural, count)
    return text % {"num": count, **variables} if "%(" in text else text


def raw_ngettext(singular: str, plural: str, count: int) -> str:
    """The translated form only: Jinja's newstyle ngettext fills in `num` and escapes it itself."""
    return translations(get_locale()).ngettext(singular, plural, count)


def N_(message: str, **values: Any) -> str:
    """Mark a string for the catalog where it is defined; it is translated where it is shown.

    With values (`N_("SKU %(sku)s is already used.", sku=sku)`) it is a `Text`: the msgid stays constant
    for the catalog, and the error or label it becomes is filled in the reader's language."""
    return Text.of(message, **values) if values else message


# Pydantic's English field errors, as msgids with their numbers pulled out ("%(n)s"): a schema's
# "String should have at most 60 characters" reads "最多60个字符" in Chinese without any schema changing.
_FIELD_ERRORS = (
    N_("String should have at least %(n)s characters"),
    N_("String should have at most %(n)s characters"),
    N_("Input should be greater than or equal to %(n)s"),
    N_("Input should be less than or equal to %(n)s"),
    N_("Input should be greater than %(n)s"),
    N_("Input should be less than %(n)s"),
)
# Each msgid read back as the pattern of pydantic's message ("1 character" is the singular).
_FIELD_PATTERNS = [
    (
        re.compile(
            "^"
            + re.escape(msgid).replace(r"%\(n\)s", r"(-?[\d.]+)").replace("characters", "characters?")
            + "$"
        ),
        msgid,
    )
    for msgid in _FIELD_ERRORS
]
_PLAIN_FIELD_ERRORS = (
    N_("Field required"),
    N_("Extra inputs are not permitted"),
    N_("Input should be a valid integer"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid string"),
    N_("Input should be a valid number"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid boolean"),
    N_("Input should be a valid dictionary"),
    N_("Input should be a valid list"),
    N_("Invalid value."),
)


def translate_field_error(message: str) -> str:
    """A field error in the request's language: ours are msgids, pydantic's are matched by pattern."""
    if isinstance(message, Text):
        return gettext(message)
    message = message.removeprefix("Value error, ")
    if get_locale() == DEFAULT:
        return message
    for pattern, msgid in _FIELD_PATTERNS:
        if match := pattern.match(message):
            return gettext(msgid, n=match.group(1))
    return gettext(message)


@cache
def js_catalog(locale: str) -> dict[str, str]:
    """The translations of the strings the JS modules ask for with t(...): served with each page."""
    if locale == DEFAULT:
        return {}
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return {}
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {
        (f"{message.context}\x04{message.id}" if message.context else str(message.id)): str(message.string)
        for message in catalog
        if message.id and message.string and any(path.endswith(".js") for path, _ in message.locations)
    }


class LocaleMiddleware:
    """Decides the request's language before routing and keeps it for the request's whole path."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookies: dict[str, str] = {}
        accept: str | None = None
        for name, value in scope.get("headers", ()):
            if name == b"cookie" and b"lang=" in value:
                cookies = _lang_cookie(value.decode("latin-1"))
            elif name == b"accept-language":
                accept = value[:HEADER_CAP].decode("latin-1")
        token = _current.set(negotiate(scope.get("query_string", b""), cookies, accept))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def _lang_cookie(header: str) -> dict[str, str]:
    for part in header[:4096].split(";"):
        key, _, value = part.strip().partition("=")
        if key == COOKIE:
            return {COOKIE: value.strip('"')}
    return {}
