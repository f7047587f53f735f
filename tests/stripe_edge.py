"""Fakes at the network edge only: a Stripe that is down, slow or answers errors for some calls.

`FlakyStripe` is a tiny HTTP server in front of the real local Stripe server. Every request is
forwarded unchanged, except those matching a rule: a rule answers a status and JSON body of its
own, or hangs. The app under test is pointed at it as its Stripe API base.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
from aiohttp import web

from tests.helpers import free_port

HANG = -1


def stripe_error(status: int, kind: str = "api_error", code: str | None = None) -> tuple[int, dict[str, Any]]:
    """An error answer shaped like Stripe's."""
    error: dict[str, Any] = {"type": kind, "message": f"fake {status} from the network edge"}
    if code:
        error["code"] = code
    return status, {"error": error}


@dataclass
class FlakyStripe:
    upstream: str
    rules: dict[str, tuple[int, Any]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def fail(self, match: str, status: int, body: Any = None) -> None:
        """Requests whose "METHOD path?query body" contains `match` get `status` (HANG: no answer)."""
        self.rules[match] = (status, body if body is not None else stripe_error(status)[1])

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        line = f"{request.method} {request.path_qs} {body.decode(errors='replace')}"
        self.seen.append(line)
        for match, (status, answer) in self.rules.items():
            if match in line:
                if status == HANG:
                    await self._closing.wait()
                text = answer if isinstance(answer, str) else json.dumps(answer)
                return web.Response(status=status, text=text, content_type="application/json")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with httpx.AsyncClient(base_url=self.upstream) as client:
            answer = await client.request(request.method, request.path_qs, content=body, headers=headers)
        return web.Response(status=answer.status_code, body=answer.content, content_type="application/json")

    async def __aenter__(self) -> FlakyStripe:
        self.port = free_port()
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # hung answers end with the server
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def closed_port_url() -> str:
    """A loopback address where nothing listens: connection refused, at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
