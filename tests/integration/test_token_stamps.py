"""An API token's "last used" on the settings page is right to the minute, and written at most once
a minute per token; the flash-sale hot path's lookup reads the token without writing it (the stamp
is written by tokenstamps' writer, outside the request)."""

from datetime import timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import tokenstamps
from tests.helpers import Client
from tests.live_helpers import bearer, buyers, launch_sale, live_room, reserve_url
from tests.live_helpers import queries_of as statements


async def last_used(owner: Client) -> str | None:
    [token] = (await owner.get("/api/v1/auth/tokens")).json()["items"]
    return token["last_used_at"]


async def test_last_used_moves_once_a_minute(shopper: Client, other_client: Client, clock: Any) -> None:
    secret = (await shopper.post("/api/v1/auth/tokens", json={"name": "sync"})).json()["token"]
    bearer_header = {"Authorization": f"Bearer {secret}"}
    assert await last_used(shopper) is None

    assert (await other_client.get("/api/v1/me", headers=bearer_header)).status_code == 200
    first = await last_used(shopper)
    assert first is not None

    clock.advance(timedelta(seconds=50))  # within the minute: no write, the stamp stays
    assert (await other_client.get("/api/v1/me", headers=bearer_header)).status_code == 200
    assert await last_used(shopper) == first

    clock.advance(timedelta(seconds=20))  # 70 s after the first use: stamped again
    assert (await other_client.get("/api/v1/me", headers=bearer_header)).status_code == 200
    later = await last_used(shopper)
    assert later is not None
    assert later > first


async def test_the_hot_path_lookup_does_not_write_the_stamp(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, clock: Any
) -> None:
    room = await live_room(client, other_client, stock=5)
    sale = await launch_sale(client, room, quantity=5, limit=1)
    [token] = await buyers(db, 1)
    async with bearer(app, token, ip="192.0.2.15") as buyer:
        with statements(app, "") as seen:
            held = await buyer.post(reserve_url(sale), json={"quantity": 1})
            await tokenstamps.flush()  # inside: the writer's batch may run after the response is read
        assert held.status_code == 201
        stamps = [s for s in seen if s.startswith("UPDATE api_tokens")]
        # Only the writer's conditional batch statement, never the request's own transaction.
        assert stamps
        assert all("last_used_at IS NULL OR" in s for s in stamps)
        me = await buyer.get("/api/v1/auth/tokens")
    [row] = me.json()["items"]
    assert row["last_used_at"] is not None
