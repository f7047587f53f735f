"""Rendering pages: every template gets the navigation context and the CSRF input."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from shop.core import clock, i18n, stored_words
from shop.core.i18n import gettext, ngettext
from shop.core.labels import deal_status_label, held_for, role_label, source_label, status_label
from shop.core.money import format_bps, format_money
from shop.core.storage import media_url

_HASHTAG = re.compile(r"#([\w\u4e00-\u9fff]{1,40})")


# A page's form body (urlencoded); fields are validated by the schema the handler hands them to.
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def render(template: str, nav: dict[str, Any], *, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context={"nav": nav, **context}, status_code=status_code)


def form_errors(error: Any) -> dict[str, str]:
    """Turn a pydantic ValidationError into {field: message} for a re-rendered form."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = ".".join(str(part) for part in problem.get("loc", ())) or "form"
        messages.setdefault(field, i18n.translate_field_error(str(problem.get("msg", "Invalid value."))))
    return messages


def link_hashtags(text: str) -> Markup:
    """Link #topics found in the raw text, escaping every piece on its own.

    Matching after escaping would read the `&#39;` of "you're" as a topic #39.
    """
    out: list[str] = []
    last = 0
    for match in _HASHTAG.finditer(text):
        topic = match.group(1)
        out.append(str(escape(text[last : match.start()])))
        out.append(f'<a href="/topics/{escape(topic.lower())}">#{escape(topic)}</a>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 (every piece of user text above went through escape)


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "2 d ago", then the date: what feeds and inboxes show.

    In Chinese: 刚刚, 5分钟前, 3小时前, 2天前, then 3月4日 (the catalog's words, Babel's date).
    """
    if moment is None:
        return ""
    now = now or clock.now()
    seconds = int((now - moment).total_seconds())
    if seconds < 45:
        return gettext("just now")
    if seconds < 3600:
        return gettext("%(n)s min ago", n=max(1, round(seconds / 60)))
    if seconds < 86400:
        return gettext("%(n)s h ago", n=seconds // 3600)
    if seconds < 7 * 86400:
        return gettext("%(n)s d ago", n=seconds // 86400)
    same_year = moment.year == now.year
    if i18n.get_locale() == i18n.DEFAULT:
        return moment.strftime("%-d %b" if same_year else "%-d %b %Y")
    return format_skeleton("MMMd" if same_year else "yMMMd", moment, locale=i18n.babel_locale())


def day(moment: datetime | None, with_time: bool = False) -> str:
    """A calendar day as the reader writes it: "Mar 4, 2025" (and "14:05"), 2025年3月4日 in Chinese."""
    if moment is None:
        return ""
    if i18n.get_locale() == i18n.DEFAULT:
        return moment.strftime("%b %-d, %Y %H:%M" if with_time else "%b %-d, %Y")
    text = format_skeleton("yMMMd", moment, locale=i18n.babel_locale())
    return f"{text} {moment:%H:%M}" if with_time else text


def starts(moment: datetime | None) -> str:
    """When a scheduled room starts, before the page's JS says it in the viewer's zone: "Fri 04 Dec,
    20:00" (as before), 12月4日周五 20:00 in Chinese. The template adds "UTC" in the reader's words."""
    if moment is None:
        return ""
    if i18n.get_locale() == i18n.DEFAULT:
        return moment.strftime("%a %d %b, %H:%M")
    return f"{format_skeleton('MMMEd', moment, locale=i18n.babel_locale())} {moment:%H:%M}"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 follower", "2 followers", "1.2k followers", "1.2万 粉丝": a count with the right noun.

    The nouns are msgids (templates pass both forms, so extraction finds them as a plural pair).
    """
    noun = ngettext(singular, plural or f"{singular}s", count)
    return f"{compact_count(count)} {noun}"


def compact_count(count: int) -> str:
    """ "1.2k" and "3M" in English; 1.2万 and 3亿 in Chinese (CLDR's short forms, via Babel)."""
    if i18n.get_locale() != i18n.DEFAULT:
        return format_compact_decimal(count, locale=i18n.babel_locale(), fraction_digits=1)
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{count / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


def _money(value: Any) -> str:
    return format_money(value.amount, value.currency)


def translate(value: object) -> str:
    """`{{ error | t }}`: a message that reached the page as a value (a form error, a flash)."""
    if not value:
        return ""
    return gettext(value) if isinstance(value, i18n.Text) else stored_words.say(str(value))


def templates_config(directory: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with the filters every page uses. Loaded from a directory, so it autoescapes."""

    def configure(engine: JinjaTemplateEngine) -> None:
        # {% trans %} and _() read the request's language when the page renders (newstyle: escaped,
        # and "%(name)s" filled from keyword arguments).
        engine.engine.add_extension("jinja2.ext.i18n")
        engine.engine.policies["ext.i18n.trimmed"] = True
        engine.engine.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.gettext, i18n.raw_ngettext, newstyle=True
        )
        engine.engine.globals["html_lang"] = i18n.html_lang
        engine.engine.globals["current_locale"] = i18n.get_locale
        engine.engine.globals["js_catalog"] = lambda: i18n.js_catalog(i18n.get_locale())
        engine.engine.filters["t"] = translate
        engine.engine.filters["money"] = _money
        engine.engine.filters["minor"] = format_money
        engine.engine.filters["bps"] = format_bps
        engine.engine.filters["hashtags"] = link_hashtags
        engine.engine.filters["ago"] = relative_time
        engine.engine.filters["day"] = day
        engine.engine.filters["starts"] = starts
        engine.engine.filters["compact"] = compact_count
        engine.engine.globals["counted"] = counted
        engine.engine.globals["media_url"] = media_url
        engine.engine.filters["status_label"] = status_label
        engine.engine.filters["deal_status_label"] = deal_status_label
        engine.engine.filters["source_label"] = source_label
        engine.engine.filters["held_for"] = held_for
        engine.engine.filters["role_label"] = role_label

    return TemplateConfig(directory=directory, engine=JinjaTemplateEngine, engine_callback=configure)
