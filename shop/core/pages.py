"""Rendering pages: every template gets the navigation context and the CSRF input."""

from __future__ import annotations

from typing import Any

from litestar.response import Template


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
