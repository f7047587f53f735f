"""An admitted hold reads its sale's launch-time facts once per process (live/flash_sales/facts.py),
while the shop's suspension is still read for every hold."""

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import Client
from tests.integration.test_token_stamps import bearer, reserve_url
from tests.live_helpers import buyers, launch_sale, live_room
from tests.live_helpers import queries_of as statements


async def test_the_sale_is_read_once_and_the_shop_every_time(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=5)
    sale = await launch_sale(client, room, quantity=5, limit=1)
    first, second = await buyers(db, 2)
    async with bearer(app, first) as one, bearer(app, second) as two:
        assert (await one.post(reserve_url(sale), json={"quantity": 1})).status_code == 201
        with statements(app, "") as seen:
            held = await two.post(reserve_url(sale), json={"quantity": 1})
    assert held.status_code == 201
    reads = [s for s in seen if s.startswith("SELECT")]
    # A read of this sale by its id (the sweeper's scan of ended sales may run meanwhile).
    assert not [s for s in reads if "FROM flash_sales" in s and "flash_sales.id = " in s]
    assert [s for s in reads if "merchants.status" in s]
