"""An admitted hold reads its sale's launch-time facts once per process (live/flash_sales/facts.py),
and its shop's standing from a cache that a suspension empties at once, here and in another app."""

import asyncio
from contextlib import AsyncExitStack

from asgi_lifespan import LifespanManager
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from shop.app import create_app
from shop.settings import Settings
from tests.helpers import Client
from tests.live_helpers import bearer, buyers, launch_sale, live_room, reserve_url
from tests.live_helpers import queries_of as statements


async def test_the_sale_and_its_shop_are_read_once_and_a_suspension_stops_every_app_at_once(
    operator: Client,
    creator: Client,
    third_client: Client,
    app: Litestar,
    db: AsyncSession,
    settings: Settings,
) -> None:
    room = await live_room(creator, third_client, stock=10)
    sale = await launch_sale(creator, room, quantity=8, limit=1)
    tokens = await buyers(db, 5)
    twin = create_app(settings)  # another worker: its own caches, the same database and Redis
    async with LifespanManager(twin), bearer(app, tokens[0]) as one, bearer(twin, tokens[1]) as there:
        assert (await one.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        assert (await there.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        async with bearer(app, tokens[2]) as two:
            with statements(app, "") as seen:
                held = await two.post(reserve_url(sale), json={"quantity": 1})
        assert held.status_code == 201, held.text
        reads = [s for s in seen if s.startswith("SELECT")]
        # No read of this sale by its id (the sweeper's scan of ended sales may run meanwhile), nor its shop.
        assert not [s for s in reads if "FROM flash_sales" in s and "flash_sales.id = " in s]
        assert not [s for s in reads if "merchants.status" in s]

        shop_id = int((await third_client.get("/api/v1/me")).json()["merchant"]["id"])
        moved = await operator.post(f"/api/v1/operator/shops/{shop_id}/suspend", json={"reason": "Review"})
        assert moved.status_code == 200, moved.text
        async with bearer(app, tokens[3]) as three, bearer(twin, tokens[4]) as four:
            for buyer in (three, four):
                refused = await buyer.post(reserve_url(sale), json={"quantity": 1})
                assert refused.status_code == 422, refused.text
                assert "shop is unavailable" in refused.json()["message"]
    books = (await creator.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (books["held"], books["available"]) == (3, 5)
    # Two embedded apps keep a gate each (one process is the embedded mode): only a shared one agrees.
    assert books["invariant_ok"] or not settings.redis_url


async def test_a_herd_of_first_holds_on_a_fresh_worker_reads_the_sale_and_its_shop_once(
    creator: Client, third_client: Client, db: AsyncSession, settings: Settings
) -> None:
    room = await live_room(creator, third_client, stock=30)
    sale = await launch_sale(creator, room, quantity=20, limit=1)
    tokens = await buyers(db, 12)
    fresh = create_app(settings)  # a worker that has not seen this sale: nothing of it is cached
    async with LifespanManager(fresh), AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(bearer(fresh, token)) for token in tokens]
        with statements(fresh, "") as seen:
            held = await asyncio.gather(*(c.post(reserve_url(sale), json={"quantity": 1}) for c in clients))
    assert [r.status_code for r in held] == [201] * 12, [r.text for r in held]
    # The sale's launch-time facts (the one read joining its variant) and its shop's standing:
    # read once for the twelve holds that found them missing at the same moment, not once each.
    assert len([s for s in seen if s.startswith("SELECT") and "JOIN variants" in s]) == 1
    assert len([s for s in seen if s.startswith("SELECT") and "merchants.status" in s]) == 1
    books = (await creator.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert books["held"] == 12
