"""Lanes: a hot route answered beside Litestar's chain, for the requests where the chain adds nothing.

    App (http) ──▶ a lane claims the method and path? ──no──▶ Litestar's chain
                          │ yes
                          ▼
                   lane.serve(request) ──False: handed back before doing anything──▶ the chain,
                          │ True: answered                                           body replayed
                          ▼
             one JSON answer, with the headers every response carries (`LaneGuard.hooks`)

Why: on a flash sale's rush the chain around the reservation handler (the exception, locale, CSRF
and session middleware, the router, dependency injection, the response layers) cost about three
times the reservation itself. A lane takes only requests the chain would pass through untouched
(a Bearer token and no cookie, so no session and no CSRF; an allowed Host; a small body its schema
accepts) and hands everything else back, so every other answer stays the chain's own. Once a lane
has started its work, an error is answered by the app's exception handlers, as in the chain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import msgspec
from litestar import Request

from shop.core import i18n
from shop.core.http import translated

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Hook = Callable[[Message, Any], Awaitable[None]]
BODY_MAX = 4096  # a lane's bodies are a few fields; anything larger goes the chain's way


@dataclass(slots=True)
class LaneGuard:
    """What the chain's outer layers give every request: the Host check (None: no lane runs) and
    the headers every response carries."""

    host_ok: Callable[[str], bool] | None = None
    hooks: list[Hook] = field(default_factory=list)


@dataclass(slots=True)
class LaneRequest:
    scope: dict[str, Any]
    send: Send
    headers: dict[bytes, bytes]
    body: bytes
    hooks: list[Hook]
    replay: Receive = field(repr=False)

    @property
    def client_host(self) -> str:
        client = self.scope.get("client")
        return str(client[0]) if client else "unknown"

    async def answer(self, status: int, payload: Any, retry_after: int | None = None) -> None:
        """JSON as Litestar's Response would send it, with the headers every response carries."""
        body = msgspec.json.encode(payload)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if retry_after:
            headers.append((b"retry-after", str(retry_after).encode()))
        start: Message = {"type": "http.response.start", "status": status, "headers": headers}
        for hook in self.hooks:
            await hook(start, self.scope)
        await self.send(start)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    async def answer_error(self, status: int, body: dict[str, Any], retry_after: int | None = None) -> None:
        await self.answer(status, translated(body), retry_after)

    async def answer_exception(self, app: Any, error: Exception) -> None:
        """What the chain's exception layer would answer (its handlers, most specific class first)."""
        scope: Any = self.scope  # an HTTP scope, as the chain's Request is given
        request: Request[Any, Any, Any] = Request(scope, cast(Any, self.replay), cast(Any, self.send))
        handler = next(
            app.exception_handlers[kind] for kind in type(error).__mro__ if kind in app.exception_handlers
        )
        response = handler(request, error)

        async def finishing(message: Message) -> None:
            for hook in self.hooks:
                await hook(message, self.scope)
            await self.send(message)

        await response.to_asgi_response(app=app, request=request)(self.scope, self.replay, finishing)


class Lane(Protocol):
    def claims(self, scope: dict[str, Any]) -> bool:
        """From the method and path alone: may this lane look at the request?"""

    async def serve(self, request: LaneRequest) -> bool:
        """True once answered; False, having done nothing, to hand the request to the chain."""


async def read_body(receive: Receive, limit: int = BODY_MAX) -> tuple[list[Message], bytes | None]:
    """The messages read (to replay) and the whole body, or None past `limit` (the rest unread)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None  # the client left
        size += len(message.get("body", b""))
        if size > limit:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives `messages` again, then the client's own."""
    queued = list(messages)

    async def replay() -> Message:
        return queued.pop(0) if queued else await receive()

    return replay


async def try_lanes(
    lanes: list[Lane], guard: LaneGuard, scope: dict[str, Any], receive: Receive, send: Send
) -> Receive | None:
    """None when a lane answered; else the receive the chain should read the request from."""
    lane = next((lane for lane in lanes if lane.claims(scope)), None)
    if lane is None or guard.host_ok is None:
        return receive
    headers = dict(scope.get("headers") or ())
    if not guard.host_ok(headers.get(b"host", b"").decode("latin-1")):
        return receive  # the chain's Host guard refuses it
    messages, body = await read_body(receive)
    replay = replaying(messages, receive)
    if body is None:
        return replay
    # One replay: the lane's error answer reads it, or the chain does, never both.
    request = LaneRequest(scope, send, headers, body, guard.hooks, replay)
    accept = headers.get(b"accept-language", b"")[: i18n.HEADER_CAP].decode("latin-1") or None
    token = i18n.use(i18n.negotiate(scope.get("query_string", b""), {}, accept))
    try:
        return None if await lane.serve(request) else replay
    finally:
        i18n.reset(token)
