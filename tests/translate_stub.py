"""A LibreTranslate-compatible stub on loopback (real HTTP, aiohttp) for the translation tests.

It records every request it is sent and answers per `mode`: "ok" (a tagged echo, so a test knows
the text went through it), "script" (a `<script>` as the translation), "html_error" (a 502 HTML
page, like a proxy in front of a dead server), "html_ok" (a 200 HTML page), "slow" (answers after
`delay_s`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import web
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine

from shop.settings import Settings
from tests.helpers import free_port

SCRIPT = '<script>alert("x")</script><b>bold</b>'


@dataclass
class TranslateStub:
    url: str = ""
    mode: str = "ok"
    delay_s: float = 30.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    runner: web.AppRunner | None = None

    async def stop(self) -> None:
        """Nothing listens at `url` any more: a provider that is down (connection refused)."""
        if self.runner is not None:
            runner, self.runner = self.runner, None
            await runner.cleanup()

    def texts(self) -> list[str]:
        return [str(r["json"]["q"]) for r in self.requests]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"path": request.path, "method": request.method, "json": body})
        if self.mode == "slow":
            await asyncio.sleep(self.delay_s)
        if self.mode == "html_error":
            return web.Response(
                status=502,
                text="<html><body><h1>502 Bad Gateway</h1></body></html>",
                content_type="text/html",
            )
        if self.mode == "html_ok":
            return web.Response(text="<html><body>Welcome to nginx!</body></html>", content_type="text/html")
        if self.mode == "script":
            return web.json_response({"translatedText": SCRIPT})
        return web.json_response({"translatedText": f"[{body['source']}>{body['target']}] {body['q']}"})


@asynccontextmanager
async def running_stub() -> AsyncIterator[TranslateStub]:
    stub = TranslateStub()
    app = web.Application()
    app.router.add_post("/translate", stub.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    stub.url, stub.runner = f"http://127.0.0.1:{port}", runner
    try:
        yield stub
    finally:
        await stub.stop()


def render_translate_macros(app: Litestar) -> str:
    """The Translate link of note 7 and the chat toggle, as the app's templates render them."""
    jinja = cast(JinjaTemplateEngine, app.template_engine).engine
    source = '{% from "components/translate.html" import translate_link, translate_chat_toggle %}'
    return jinja.from_string(source + "{{ translate_link('note', 7) }}{{ translate_chat_toggle() }}").render()


def translating_settings(base: Settings, stub: TranslateStub, per_minute: int = 30) -> Settings:
    """The test app's settings with the LibreTranslate provider pointed at the stub."""
    return base.model_copy(
        update={
            "redis_prefix": f"zc-test-{uuid.uuid4().hex[:8]}",
            "translate_provider": "libretranslate",
            "translate_url": stub.url,
            "translate_api_key": "lt-key-123",
            "translate_timeout_s": 1.0,
            "translate_per_user_per_minute": per_minute,
        }
    )
