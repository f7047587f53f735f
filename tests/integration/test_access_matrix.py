"""The access matrix (issue 13): every route whose path names an object, called by the object's
owner, another user of the same role, a user of another role and an anonymous browser, each
answer held to its row (tests/access_rows.py, access_page_rows.py, access_live_rows.py); and ids in
bodies naming another's object (tests/access_body_rows.py).

The routes are read from the app, so a route added without a row fails the first test by name.
The objects are built once (tests/access_world.py) and every row runs in one test, which lists
every mismatch at once."""

from __future__ import annotations

import re
import time
from contextlib import AsyncExitStack
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute, WebSocketRoute
from sqlalchemy.ext.asyncio import AsyncSession

from tests.access_body_rows import PROBES
from tests.access_live_rows import LIVE_ROWS
from tests.access_page_rows import PAGE_ROWS
from tests.access_rows import API_ROWS, NOT_OBJECTS, Row
from tests.access_world import World, build
from tests.helpers import Client

ROWS = [*PAGE_ROWS, *API_ROWS, *LIVE_ROWS]  # pages first: the API pays the order the pay page shows
PARAM = re.compile(r"\{\w+(?::\w+)?\}")
IGNORED = {"HEAD", "OPTIONS"}


def routes_naming_objects(app: Litestar) -> set[str]:
    found = set()
    for route in app.routes:
        if not PARAM.search(route.path):
            continue
        if isinstance(route, WebSocketRoute):
            found.add(f"WS {route.path}")
        elif isinstance(route, HTTPRoute):
            found.update(f"{method} {route.path}" for method in route.methods - IGNORED)
    return found - NOT_OBJECTS


async def test_every_route_that_names_an_object_has_a_row(app: Litestar) -> None:
    routes = routes_naming_objects(app)
    rows = {r.route for r in ROWS}
    assert len(routes) > 90  # the sweep reads the whole app
    assert sorted(routes - rows) == [], "routes without a row in tests/access_rows.py"
    assert sorted(rows - routes) == [], "rows for routes the app no longer has"


def _value(world: World, arg: str) -> str:
    return arg[1:] if arg.startswith("=") else str(world[arg])


def _resolved(world: World, body: Any) -> Any:
    if isinstance(body, dict):
        return {key: _resolved(world, value) for key, value in body.items()}
    if isinstance(body, list):
        return [_resolved(world, value) for value in body]
    if isinstance(body, str) and body.startswith("@"):
        return world[body[1:]]
    return body


def _path(world: World, route: str, args: tuple[str, ...]) -> str:
    values = iter(_value(world, arg) for arg in args)
    return PARAM.sub(lambda _: next(values), route.split(" ", 1)[1])


async def _socket_status(served: str, browser: Client, path: str) -> int:
    """101 if the socket opens and sends its first frame, else the refusal's status or close code."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    url = served.replace("http://", "ws://") + path
    try:
        async with connect(url, additional_headers={"Cookie": cookie} if cookie else {}) as socket:
            await socket.recv()
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006


async def _call(world: World, served: str, row: Row, who: str) -> int:
    browser, path = world.users[who], _path(world, row.route, row.args)
    method = row.route.split(" ", 1)[0]
    if method == "WS":
        return await _socket_status(served, browser, path)
    if row.form is not None:
        return (await browser.send(method, path, data=_resolved(world, row.form))).status_code
    body = _resolved(world, row.json)
    return (await browser.send(method, path, json=body)).status_code


async def _probes(world: World) -> list[str]:
    """Run before the rows change anything: each names another's object in its own request's body."""
    found = []
    for probe in PROBES:
        method, path = probe.route.split(" ", 1)[0], _path(world, probe.route, probe.args)
        answer = await world.users[probe.who].send(method, path, json=_resolved(world, probe.json))
        if answer.status_code != probe.expect:
            found.append(
                f"{probe.who}: {probe.route} {probe.json}: expected {probe.expect}, got {answer.status_code}"
            )
    return found


async def test_each_caller_gets_what_its_row_says(app: Litestar, db: AsyncSession, served: str) -> None:
    mismatches = []
    async with AsyncExitStack() as stack:
        started = time.monotonic()
        world = await build(app, stack, db)
        built = time.monotonic()
        mismatches += await _probes(world)
        for row in ROWS:
            got = {column: await _call(world, served, row, who) for column, who in row.columns.items()}
            answered = "/".join(str(got[c]) for c in ("owner", "peer", "other", "anon"))
            if answered != row.expect:
                mismatches.append(f"{row.route} {' '.join(row.args)}: expected {row.expect}, got {answered}")
        print(f"built in {built - started:.1f} s, {len(ROWS)} rows in {time.monotonic() - built:.1f} s")
    assert mismatches == [], "\n".join(mismatches)
