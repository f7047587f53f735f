"""The server's own ASGI send, kept in a websocket's scope for code that writes many frames, and a
way for a websocket handler to leave Litestar's chain once the socket is accepted.

Litestar wraps the send it is given once per layer (the before-send hooks, the exception handler's
start tracking, the session cookie, the socket's state check): a coroutine call each per message,
and all of them act on HTTP response events only. A live room writes each frame to thousands of
sockets (`live.hub`), where those layers cost as much as the writes; it uses this send instead.
Accepting and closing still go through Litestar's chain.

A handler that leaves a coroutine function under THEN in the scope returns, and Litestar's chain
(a coroutine frame per middleware, the WebSocket object, the parsed headers and cookies) unwinds
and is freed; the function then runs with the server's own receive for the rest of the connection.
An idle live viewer otherwise holds that whole chain for as long as it watches (`live.channel`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar

from shop.core.lanes import Lane, LaneGuard, try_lanes

RAW_SEND = "zc.raw_send"
THEN = "zc.then"
# What the scope keeps once a handler has left the chain: the ASGI basics (small), not the request's
# headers, state copy, session or Litestar's caches, which the connection no longer needs.
_KEPT = frozenset({"type", "asgi", "http_version", "scheme", "server", "client", "root_path", "path"})

Then = Callable[[Any], Awaitable[None]]


class App(Litestar):
    """Litestar, with lanes (shop/core/lanes.py) in front of its chain for HTTP, and a way out of
    the chain for websockets (above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lanes: list[Lane] = []
        # Set by shop.core.headers.harden: what every response carries, and the Hosts answered.
        self.guard = LaneGuard()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.lanes:
            scope["app"] = self
            receive = await try_lanes(self.lanes, self.guard, scope, receive, send)
            if receive is None:
                return
        if scope["type"] != "websocket":
            await super().__call__(scope, receive, send)
            return
        scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)
        then: Then | None = scope.pop(THEN, None)
        if then is not None:
            kept = {key: scope[key] for key in _KEPT if key in scope}
            scope.clear()  # not `del` key by key: that leaves the grown table allocated
            scope.update(kept)
            await then(receive)
