"""The flash-sale hot path (issue 14): a refusal is answered by the gate without one SQL statement,
and the caller's token or session is resolved from a short cache that a revoke empties at once,
in this app and in another one sharing the store."""

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import tokenreads, tokenstamps
from shop.app import create_app
from shop.settings import Settings
from tests.helpers import Client, register
from tests.integration.test_account_settings import login
from tests.live_helpers import bearer, buyers, launch_sale, live_room, queries_of, reserve_url


def statements(app: Litestar) -> contextlib.AbstractContextManager[list[str]]:
    """Every SQL statement the app's own engine runs inside the block."""
    return queries_of(app, "")


async def test_refusals_are_answered_by_the_gate_without_sql(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, clock: Any
) -> None:
    room = await live_room(client, other_client, stock=20)
    sale = await launch_sale(client, room, quantity=1, limit=1)
    later = await launch_sale(client, room, quantity=5, limit=1, countdown_s=300)
    first, second = await buyers(db, 2)
    async with bearer(app, first) as one, bearer(app, second) as two:
        assert (await one.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        await tokenstamps.flush()  # the first use's stamp, written beside the requests, not by them
        with statements(app) as seen:
            again = await one.post(reserve_url(sale), json={"quantity": 1})
        assert (again.status_code, again.json()["code"], seen) == (409, "limit_reached", [])

        warm = await two.post(reserve_url(sale), json={"quantity": 1})  # resolves the token once
        assert (warm.status_code, warm.json()["code"]) == (409, "sold_out")
        await tokenstamps.flush()
        with statements(app) as seen:
            sold_out = await two.post(reserve_url(sale), json={"quantity": 1})
            early = await two.post(reserve_url(later), json={"quantity": 1})
            too_many = await two.post(reserve_url(later), json={"quantity": 2})
        assert (sold_out.status_code, sold_out.json()["code"]) == (409, "sold_out")
        assert (early.status_code, early.json()["code"]) == (409, "not_started")
        assert (too_many.status_code, too_many.json()["fields"]) == (
            422,
            {"quantity": "At most 1 per customer."},
        )
        assert seen == []

        clock.advance(timedelta(seconds=1000))  # past the end of both sales
        with statements(app) as seen:
            ended = await two.post(reserve_url(later), json={"quantity": 1})
            await tokenstamps.flush()  # 1,000 s on, the cached token's use is stamped beside the request
        assert (ended.status_code, ended.json()["code"]) == (409, "ended")
        stamps = [s for s in seen if s.startswith(("UPDATE api_tokens", "SET LOCAL synchronous_commit"))]
        assert any(s.startswith("UPDATE api_tokens") for s in stamps)
        assert [s for s in seen if s not in stamps] == []

    books = dict((await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json())
    assert (books["held"], books["available"], books["invariant_ok"]) == (1, 0, True)


async def test_an_admitted_hold_over_the_hold_cap_gives_the_gate_back(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, settings: Any
) -> None:
    """The hold cap is checked in the gate after the sale admits; a refusal there returns the
    sale's unit, so the sale's count is what it was."""
    room = await live_room(client, other_client, stock=100)
    big = await launch_sale(client, room, quantity=20, limit=settings.max_units_held)
    small = await launch_sale(client, room, quantity=3, limit=1)
    (token,) = await buyers(db, 1)
    async with bearer(app, token) as buyer:
        full = await buyer.post(reserve_url(big), json={"quantity": settings.max_units_held})
        assert full.status_code == 201, full.text
        over = await buyer.post(reserve_url(small), json={"quantity": 1})
    assert (over.status_code, over.json()["code"]) == (409, "hold_cap")
    detail = (await client.get(f"/api/v1/flash-sales/{small['id']}")).json()
    assert detail["remaining"] == 3
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    assert await gate.remaining(small["id"]) == 3


async def _token(owner: Client) -> tuple[int, str]:
    made = await owner.post("/api/v1/auth/tokens", json={"name": "bot"})
    assert made.status_code == 201, made.text
    listed = (await owner.get("/api/v1/auth/tokens")).json()["items"]
    return int(listed[0]["id"]), str(made.json()["token"])


async def test_a_revoked_token_is_refused_at_once_though_cached_here_and_in_another_app(
    client: Client, other_client: Client, app: Litestar, settings: Settings
) -> None:
    room = await live_room(client, other_client, stock=20)
    sale = await launch_sale(client, room, quantity=10, limit=3)
    owner = await register(other_client, "bot-owner@example.com")
    token_id, token = await _token(other_client)
    twin = create_app(settings)  # another worker: its own cache, the same database and Redis
    async with LifespanManager(twin), bearer(app, token) as here, bearer(twin, token) as there:
        assert (await here.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        assert (await there.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        gone = await other_client.send("DELETE", f"/api/v1/auth/tokens/{token_id}")
        assert gone.status_code == 204
        for app_client in (here, there):
            refused = await app_client.post(reserve_url(sale), json={"quantity": 1})
            assert (refused.status_code, refused.json()["code"]) == (401, "authentication_required")
    books = dict((await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json())
    assert books["held"] == 2
    assert owner["id"] > 0


async def test_a_revoked_session_is_refused_at_once_though_cached(
    client: Client, other_client: Client, app: Litestar
) -> None:
    """The phone's session is cached by a reservation; the laptop signs it out; the phone's next
    reservation is a 401 though its session record is still in the store."""
    room = await live_room(client, other_client, stock=20)
    sale = await launch_sale(client, room, quantity=10, limit=3)
    await register(other_client, "two-browsers@example.com")
    assert (await other_client.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw:
        laptop = Client(raw)
        await login(laptop, "two-browsers@example.com")
        listed = (await laptop.get("/api/v1/me/sessions")).json()["items"]
        phone = next(s["id"] for s in listed if not s["current"])
        assert (await laptop.send("DELETE", f"/api/v1/me/sessions/{phone}")).status_code == 204
    refused = await other_client.post(reserve_url(sale), json={"quantity": 1})
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_required")


async def test_a_rush_of_first_requests_reads_its_tokens_in_a_few_selects(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    """Forty buyers and a stranger, none cached yet, all at once: their tokens are read together,
    and each gets its own answer (one hold, sold out for the others, 401 for the unknown token)."""
    room = await live_room(client, other_client, stock=20)
    sale = await launch_sale(client, room, quantity=1, limit=1)
    tokens = [*await buyers(db, 40), "zc_not_a_token"]
    reads = tokenreads.reads_for(app.state["sessions"].kw["bind"])
    before = reads.trips
    async with contextlib.AsyncExitStack() as stack:
        rush = [
            await stack.enter_async_context(bearer(app, t, f"192.0.2.{10 + i}")) for i, t in enumerate(tokens)
        ]
        answers = await asyncio.gather(*(one.post(reserve_url(sale), json={"quantity": 1}) for one in rush))
    codes = [answer.status_code for answer in answers]
    assert sorted(codes[:-1]) == [201] + [409] * 39
    assert codes[-1] == 401
    assert 1 <= reads.trips - before < len(tokens) // 2
