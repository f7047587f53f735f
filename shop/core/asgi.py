"""The server's own ASGI send, kept in a websocket's scope for code that writes many frames.

Litestar wraps the send it is given once per layer (the before-send hooks, the exception handler's
start tracking, the session cookie, the socket's state check): a coroutine call each per message,
and all of them act on HTTP response events only. A live room writes each frame to thousands of
sockets (`live.hub`), where those layers cost as much as the writes; it uses this send instead.
Accepting and closing still go through Litestar's chain.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar

RAW_SEND = "zc.raw_send"


class App(Litestar):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)
