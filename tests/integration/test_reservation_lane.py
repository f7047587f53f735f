"""The reservation lane (live/flash_sales/lane.py) answers exactly as Litestar's chain does.

Each request goes through both doors: a Bearer request with no cookie takes the lane; the same
request with an unrelated cookie is handed to the chain, where neither the session nor the CSRF
layer acts on it. Their answers are compared: status, body, and every header but the date.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.lane import ReservationLane
from tests.helpers import Client
from tests.live_helpers import bearer, buyers, launch_sale, live_room, reserve_url

CHAIN = {"Cookie": "seen_intro=1"}  # any cookie sends the request the chain's way


def lane_of(app: Litestar) -> ReservationLane:
    return next(lane for lane in app.lanes if isinstance(lane, ReservationLane))  # type: ignore[attr-defined]


def headers_of(answer: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k not in ("date", "retry-after")}


def assert_same(lane: httpx.Response, chain: httpx.Response) -> None:
    assert (lane.status_code, lane.json()) == (chain.status_code, chain.json())
    assert headers_of(lane) == headers_of(chain)
    assert ("retry-after" in lane.headers) == ("retry-after" in chain.headers)


@asynccontextmanager
async def counted(app: Litestar, expected: int) -> AsyncIterator[None]:
    before = lane_of(app).answered
    yield
    assert lane_of(app).answered - before == expected


async def _sale(client: Client, other_client: Client, quantity: int = 5, limit: int = 1) -> dict[str, Any]:
    room = await live_room(client, other_client, stock=50)
    return await launch_sale(client, room, quantity=quantity, limit=limit)


async def test_holds_and_refusals_read_the_same_through_the_lane_and_the_chain(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    sale = await _sale(client, other_client, quantity=2)
    first, second, third = await buyers(db, 3)
    url = reserve_url(sale)
    async with bearer(app, first) as one, bearer(app, second) as two, bearer(app, third) as three:
        async with counted(app, 2):
            by_lane = await one.post(url, json={"quantity": 1})
            again_by_lane = await one.post(url, json={"quantity": 1})
        by_chain = await two.post(url, json={"quantity": 1}, headers=CHAIN)
        again_by_chain = await two.post(url, json={"quantity": 1}, headers=CHAIN)
        assert (by_lane.status_code, by_chain.status_code) == (201, 201)
        assert by_lane.json().keys() == by_chain.json().keys()
        assert by_lane.json()["mine"] == by_chain.json()["mine"]
        shape = [re.sub(r"\d", "0", a.json()["expires_at"]) for a in (by_lane, by_chain)]
        assert shape[0] == shape[1]  # the same datetime format through both doors
        assert headers_of(by_lane).keys() == headers_of(by_chain).keys()
        assert again_by_lane.json()["code"] == "limit_reached"
        assert_same(again_by_lane, again_by_chain)
        for language in ("zh-CN,zh;q=0.9", "en-US"):
            asked = {"Accept-Language": language}
            sold_out = await three.post(url, json={"quantity": 1}, headers=asked)
            assert sold_out.json()["code"] == "sold_out"
            assert ("已" in sold_out.json()["message"]) == language.startswith("zh")
            assert_same(sold_out, await three.post(url, json={"quantity": 1}, headers={**asked, **CHAIN}))
    books = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (books["held"], books["available"], books["invariant_ok"]) == (2, 0, True)


async def test_a_rate_limited_reservation_reads_the_same(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, settings: Any
) -> None:
    sale = await _sale(client, other_client, quantity=1)
    (token,) = await buyers(db, 1)
    async with bearer(app, token) as buyer:
        for _ in range(settings.reservations_per_account_per_minute):
            await buyer.post(reserve_url(sale), json={"quantity": 1})
        by_lane = await buyer.post(reserve_url(sale), json={"quantity": 1})
        by_chain = await buyer.post(reserve_url(sale), json={"quantity": 1}, headers=CHAIN)
    assert by_lane.status_code == 429
    assert_same(by_lane, by_chain)


async def test_what_the_lane_does_not_take_is_the_chains_to_answer(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    sale = await _sale(client, other_client)
    (token,) = await buyers(db, 1)
    url = reserve_url(sale)
    padded = b'{"quantity": 1, "pad": "' + b"x" * 6000 + b'"}'  # past the lane's body cap: replayed
    cases: list[tuple[str, dict[str, Any]]] = [
        (url, {"json": {"quantity": 0}}),
        (url, {"json": {"quantity": 1, "price": 1}}),
        (url, {"content": b'{"quantity": ', "headers": {"Content-Type": "application/json"}}),
        (url, {"content": b"quantity=1", "headers": {"Content-Type": "text/plain"}}),
        (url, {"content": padded, "headers": {"Content-Type": "application/json"}}),
        (url, {"json": {"quantity": 1}, "headers": {"Host": "evil.example"}}),
        ("/api/v1/flash-sales/99999999999999999/reservations", {"json": {"quantity": 1}}),
        (f"/api/v1/flash-sales/{sale['id'] + 1000}/reservations", {"json": {"quantity": 1}}),
    ]
    async with bearer(app, token) as buyer, bearer(app, "not-a-token") as stranger:
        async with counted(app, 1):  # the unknown sale alone is the workflow's own refusal (404)
            answers = [await buyer.post(path, **kwargs) for path, kwargs in cases]
            unknown = await stranger.post(url, json={"quantity": 1})
        chain = [await buyer.post(path, **_with_cookie(kwargs)) for path, kwargs in cases]
        unknown_by_chain = await stranger.post(url, json={"quantity": 1}, headers=CHAIN)
    assert [a.status_code for a in answers] == [422, 422, 400, 400, 422, 400, 422, 404]
    assert answers[4].json()["fields"].keys() == {"pad"}
    for by_lane, by_chain in zip(answers, chain, strict=True):
        assert_same(by_lane, by_chain)
    assert unknown.status_code == 401
    assert_same(unknown, unknown_by_chain)
    books = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (books["held"], books["invariant_ok"]) == (0, True)


def _with_cookie(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "headers": {**kwargs.get("headers", {}), **CHAIN}}


async def test_an_error_inside_the_lane_is_answered_by_the_apps_exception_handlers(app: Litestar) -> None:
    from redis.exceptions import ConnectionError as RedisDown

    from shop.core.lanes import LaneRequest

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/flash-sales/1/reservations",
        "raw_path": b"/api/v1/flash-sales/1/reservations",
        "query_string": b"",
        "headers": [(b"host", b"testserver.local")],
        "scheme": "http",
        "server": ("testserver.local", 80),
        "client": ("192.0.2.9", 5000),
        "root_path": "",
        "app": app,
    }
    request = LaneRequest(scope, send, {}, b"", app.guard.hooks, receive)  # type: ignore[attr-defined]
    await request.answer_exception(app, RedisDown("Redis went away mid-reservation"))
    start, body = sent[0], sent[-1]
    headers = dict(start["headers"])
    assert (start["status"], headers[b"retry-after"]) == (503, b"2")
    assert headers[b"x-content-type-options"] == b"nosniff"  # the headers every response carries
    assert b'"code":"service_unavailable"' in body["body"]
