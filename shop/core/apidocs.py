"""The /schema page: Redoc from our own static files, started by a file instead of an inline script,
and a schema that documents the error body the API really sends.

Litestar's Redoc page calls `Redoc.init(<the whole schema>)` inline, which the CSP refuses to run.
Litestar also documents every 400 as its own `{status_code, detail, extra}`; ours is `{code,
message, fields}` (shop/core/http.py), and a client generated from the schema should read that.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import RedocRenderPlugin

REDOC_JS = "/static/vendor/redoc/redoc.standalone.js"
REDOC_START = "/static/js/redoc-init.js"


class StaticRedoc(RedocRenderPlugin):
    def __init__(self, *, spec_url: str, **kwargs: Any) -> None:
        super().__init__(js_url=REDOC_JS, google_fonts=False, **kwargs)
        self.spec_url = spec_url

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return (
            "<!DOCTYPE html><html><head>"
            f'<title>{title}</title>{self.favicon}<meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<script src="{self.js_url}"></script>{self.style}</head><body>'
            f'<div id="redoc-container" data-spec-url="{escape(self.spec_url)}"></div>'
            f'<script src="{REDOC_START}"></script></body></html>'
        ).encode()


@dataclass
class ErrorBody:
    """Every API error: a stable `code` to branch on, a `message` for people, and per-field messages."""

    code: str
    message: str
    fields: dict[str, str] | None = None


ERROR_RESPONSES = {
    400: ResponseSpec(ErrorBody, generate_examples=False, description="Malformed request (bad JSON)"),
    422: ResponseSpec(ErrorBody, generate_examples=False, description="Invalid fields: see `fields`"),
}


def document_errors(app: Litestar) -> Litestar:
    """Give every API operation our error body for 400 and 422 (a handler's own entries win)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and route.path.startswith("/api/"):
                handler.responses = {**ERROR_RESPONSES, **(handler.responses or {})}
    return app
