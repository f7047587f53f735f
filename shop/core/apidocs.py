"""The /schema page: Redoc from our own static files, started by a file instead of an inline script.

Litestar's Redoc page calls `Redoc.init(<the whole schema>)` inline, which the CSP refuses to run.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
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
