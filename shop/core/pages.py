"""Rendering pages: every template gets the navigation context and the CSRF input."""

from __future__ import annotations

import re
from typing import Any

from litestar.response import Template
from markupsafe import Markup, escape

_HASHTAG = re.compile(r"#([\w\u4e00-\u9fff]{1,40})")


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
    """Escape the text first, then link #topics; the topic pattern cannot match markup."""
    escaped = str(escape(text))
    linked = _HASHTAG.sub(lambda m: f'<a href="/topics/{m.group(1).lower()}">#{m.group(1)}</a>', escaped)
    return Markup(linked)  # noqa: S704
