"""The room snapshot is built once per change and shared: a herd of joiners at one `seq` costs one
build, and a joiner after a new event (or a `stock` move) gets the new state."""

import asyncio
import json
from contextlib import AsyncExitStack
from typing import Any

from litestar import Litestar
from websockets.asyncio.client import connect

from live.snapshots import snapshots_of
from tests.helpers import Client, register
from tests.live_helpers import launch_sale, next_message, queries_of, streaming_room

HERD = 12


async def _join(stack: AsyncExitStack, url: str) -> dict[str, Any]:
    ws = await stack.enter_async_context(connect(url))
    return dict(json.loads(await ws.recv()))


async def test_a_herd_of_joiners_costs_one_build_and_a_new_event_a_new_one(
    client: Client, other_client: Client, served: str, app: Litestar
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    url = f"ws://{served.removeprefix('http://')}/live/streams/{stream_id}/ws"
    snapshots = snapshots_of(app.state)
    async with AsyncExitStack() as stack:
        with (
            queries_of(app, "stream_products") as reads,  # the shelf: read once per build
            queries_of(app, "SELECT streams.host_id") as hosts,  # who may moderate: once per room
        ):
            herd = await asyncio.gather(*(_join(stack, url) for _ in range(HERD)))
        assert len(reads) == 1
        assert len(hosts) == 1
        assert snapshots.builds == 1
        assert {s["seq"] for s in herd} == {herd[0]["seq"]}
        assert all(s["stream"]["products"] == herd[0]["stream"]["products"] for s in herd)
        assert all(s["stream"]["viewers"] >= 0 and "ts" in s for s in herd)  # per socket, outside the share

        watcher = await stack.enter_async_context(connect(url))
        await watcher.recv()
        assert (
            await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[1]})
        ).status_code == 200
        pinned = await next_message(watcher, "pin")
        builds = snapshots.builds
        late = await _join(stack, url)
        assert late["seq"] == pinned["seq"] == herd[0]["seq"] + 1
        assert late["stream"]["pinned"]["id"] == ids[1]
        assert snapshots.builds == builds + 1  # the new seq: the shared copy was not reused


async def test_a_joiner_after_a_sale_moved_sees_the_new_stock(
    client: Client, other_client: Client, served: str
) -> None:
    """`stock` is not sequenced: the shared copy is dropped when the room hears one."""
    stream_id, ids = await streaming_room(client, other_client, brand_hosted=True)
    variant_id = (await client.get(f"/api/v1/products/{ids[0]}")).json()["variants"][0]["id"]
    url = f"ws://{served.removeprefix('http://')}/live/streams/{stream_id}/ws"
    room = {"stream_id": stream_id, "variant_id": variant_id}
    sale = await launch_sale(client, room, quantity=3, limit=1, price=100)
    async with AsyncExitStack() as stack:
        watcher = await stack.enter_async_context(connect(url))
        assert json.loads(await watcher.recv())["stream"]["flash_sale"]["remaining"] == 3
        await register(other_client, "buyer@example.com")
        reserve = f"/api/v1/flash-sales/{sale['id']}/reservations"
        assert (await other_client.post(reserve, json={"quantity": 1})).status_code == 201
        assert (await next_message(watcher, "stock"))["remaining"] == 2
        assert (await _join(stack, url))["stream"]["flash_sale"]["remaining"] == 2
