"""Cross-site requests on every unsafe route (issue 13): a signed-in browser's POST, PUT, PATCH or
DELETE is refused without its own CSRF token, with another session's token, or with the token only
in its cookie. The routes come from the app itself, so a route added later is swept too; the only
exceptions are Stripe's webhook, which is signed instead, and the media server's RTMP hooks, which
carry a stream key. And the room socket checks `Origin`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.helpers import Client, register

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# No browser session is involved: Stripe signs its webhook; the media server's hooks carry a stream key.
SIGNED_INSTEAD = {"/payments/stripe/webhook", "/api/v1/rtmp/on_publish", "/api/v1/rtmp/on_publish_done"}
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _concrete(path: str) -> str:
    return PARAM.sub(lambda m: "1" if (m.group(2) or "str") == "int" else "x", path)


def unsafe_routes(app: Litestar) -> list[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path in SIGNED_INSTEAD:
            continue
        for method in route.methods:
            if method in UNSAFE:
                found.add((method, _concrete(route.path)))
    return sorted(found)


async def test_every_unsafe_route_refuses_a_cross_site_request(
    app: Litestar, client: Client, other_client: Client
) -> None:
    await register(client, "victim@example.com")
    await register(other_client, "attacker@example.com")
    theirs = await other_client.csrf()
    routes = unsafe_routes(app)
    assert len(routes) > 60  # the sweep sees the whole app, not a handful of routes
    let_through: list[tuple[str, str, str]] = []
    for method, path in routes:
        attempts: dict[str, dict[str, Any]] = {
            "no token": {"csrf": False},
            "another session's token": {"csrf": False, "headers": {"X-CSRFToken": theirs}},
            "the cookie's token in a form field of another session": {
                "csrf": False,
                "data": {"_csrf_token": theirs},
            },
        }
        for name, extra in attempts.items():
            answer = await client.send(method, path, **extra)
            if answer.status_code != 403:
                let_through.append((method, path, f"{name}: {answer.status_code}"))
    assert let_through == []


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [("http://testserver.local", True), ("https://evil.example", False), (None, True)],
)
async def test_the_room_socket_checks_origin(
    served: str, client: Client, origin: str | None, accepted: bool
) -> None:
    """A page on another site cannot open the room socket with the viewer's cookies."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    await register(client, "host@example.com", role="merchant")
    made = await client.post("/api/v1/streams", json={"title": "Origin check"})
    assert made.status_code == 201, made.text
    host = served.removeprefix("http://")
    headers = {"Origin": origin.replace("testserver.local", host)} if origin else {}
    url = f"ws://{host}/live/streams/{made.json()['id']}/ws"
    try:
        async with connect(url, additional_headers=headers) as socket:
            first = await socket.recv()
            opened = bool(first)
    except InvalidStatus:
        opened = False
    assert opened is accepted
