"""Rendering pages: every template gets the navigation context and the CSRF input."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from shop.core import clock
from shop.core.labels import held_for, status_label
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
        message = str(problem.get("msg", "Invalid value.")).removeprefix("Value error, ")
        messages.setdefault(field, message)
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
    """ "just now", "5 min ago", "3 h ago", "2 d ago", then the date: what feeds and inboxes show."""
    if moment is None:
        return ""
    now = now or clock.now()
    seconds = int((now - moment).total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    if seconds < 7 * 86400:
        return f"{seconds // 86400} d ago"
    same_year = moment.year == now.year
    return moment.strftime("%-d %b" if same_year else "%-d %b %Y")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 follower", "2 followers", "1.2k followers": a count with the right noun."""
    noun = singular if count == 1 else (plural or f"{singular}s")
    return f"{compact_count(count)} {noun}"


def compact_count(count: int) -> str:
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{count / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


def templates_config(directory: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with the filters every page uses. Loaded from a directory, so it autoescapes."""

    def configure(engine: JinjaTemplateEngine) -> None:
        engine.engine.filters["money"] = lambda value: format_money(value.amount, value.currency)
        engine.engine.filters["minor"] = format_money
        engine.engine.filters["bps"] = format_bps
        engine.engine.filters["hashtags"] = link_hashtags
        engine.engine.filters["ago"] = relative_time
        engine.engine.filters["compact"] = compact_count
        engine.engine.globals["counted"] = counted
        engine.engine.globals["media_url"] = media_url
        engine.engine.filters["status_label"] = status_label
        engine.engine.filters["held_for"] = held_for

    return TemplateConfig(directory=directory, engine=JinjaTemplateEngine, engine_callback=configure)
