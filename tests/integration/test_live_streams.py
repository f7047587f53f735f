"""Live rooms: hosting rules, the shelf and pins, and the websocket (snapshot, seq, resume, Origin)."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from live.socket_limits import LIKE_BURST
from tests.helpers import Client, register
from tests.live_helpers import next_message as _next
from tests.live_helpers import served, streaming_room


@pytest.fixture
async def live_server(app: Litestar) -> AsyncIterator[str]:
    """The same app behind a real uvicorn socket, on the test's event loop."""
    async with served(app) as where:
        yield where


async def test_viewer_gets_a_snapshot_then_pins_in_sequence(
    client: Client, other_client: Client, live_server: str
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    async with connect(f"ws://{live_server}/live/streams/{stream_id}/ws") as ws:
        snapshot = json.loads(await ws.recv())
        assert snapshot["type"] == "snapshot"
        assert snapshot["stream"]["status"] == "live"
        assert [p["id"] for p in snapshot["stream"]["products"]] == ids
        assert (
            await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[1]})
        ).status_code == 200
        pinned = await _next(ws, "pin")
        assert pinned["seq"] == snapshot["seq"] + 1
        assert pinned["product"]["id"] == ids[1]
        await client.delete(f"/api/v1/streams/{stream_id}/pin")
        unpinned = await _next(ws, "unpin")
        assert unpinned["seq"] == pinned["seq"] + 1
        await client.post(f"/api/v1/streams/{stream_id}/end")
        assert (await _next(ws, "stream_ended"))["seq"] == unpinned["seq"] + 1


async def test_reconnecting_viewer_resumes_what_it_missed(
    client: Client, other_client: Client, live_server: str
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    url = f"ws://{live_server}/live/streams/{stream_id}/ws"
    async with connect(url) as ws:
        last_seen = json.loads(await ws.recv())["seq"]
    for product_id in (ids[0], ids[1], ids[0]):
        await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": product_id})
    async with connect(url) as ws:
        await ws.recv()  # the new snapshot
        await ws.send(json.dumps({"type": "resume", "after_seq": last_seen}))
        await asyncio.sleep(0.2)
        missed = [json.loads(await asyncio.wait_for(ws.recv(), timeout=5)) for _ in range(3)]
    assert [m["seq"] for m in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
    assert [m["product"]["id"] for m in missed] == [ids[0], ids[1], ids[0]]


async def test_foreign_origin_is_refused(client: Client, other_client: Client, live_server: str) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    url = f"ws://{live_server}/live/streams/{stream_id}/ws"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin="https://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with connect(url, origin=f"http://{live_server}") as ws:  # type: ignore[arg-type]
        assert json.loads(await ws.recv())["type"] == "snapshot"


async def test_only_hosts_and_moderators_run_a_room(
    client: Client, other_client: Client, app: Litestar
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    stranger_pin = await other_client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
    assert stranger_pin.status_code == 404
    me = (await other_client.get("/api/v1/me")).json()
    added = await client.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": me["id"]})
    assert added.status_code == 201
    assert (
        await other_client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
    ).status_code == 200
    assert (await other_client.post(f"/api/v1/streams/{stream_id}/end")).status_code == 404  # host only
    off_shelf = await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": 999999})
    assert off_shelf.status_code == 422


async def test_shoppers_cannot_host_and_bad_input_is_rejected(shopper: Client) -> None:
    assert (await shopper.post("/api/v1/streams", json={"title": "Mine"})).status_code == 403
    assert (await shopper.post("/api/v1/streams", json={"title": ""})).status_code == 422
    assert (await shopper.get("/api/v1/streams?status=bogus")).status_code == 422
    assert (await shopper.get("/api/v1/streams/424242")).status_code == 404


async def test_viewers_see_the_sale_start_and_the_stock_fall(
    client: Client, other_client: Client, live_server: str
) -> None:
    from tests.live_helpers import launch_sale

    stream_id, ids = await streaming_room(client, other_client, brand_hosted=True)
    variant_id = (await client.get(f"/api/v1/products/{ids[0]}")).json()["variants"][0]["id"]
    async with connect(f"ws://{live_server}/live/streams/{stream_id}/ws") as ws:
        assert json.loads(await ws.recv())["stream"]["flash_sale"] is None
        sale = await launch_sale(
            client, {"stream_id": stream_id, "variant_id": variant_id}, quantity=3, limit=1, price=100
        )
        started = await _next(ws, "flash_sale")
        assert (started["state"], started["flash_sale"]["remaining"]) == ("started", 3)
        for n in range(3):
            await register(other_client, f"v{n}@example.com")
            assert (
                await other_client.post(
                    f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1}
                )
            ).status_code == 201
        seen: list[int] = []
        while not seen or seen[-1] != 0:
            seen.append((await _next(ws, "stock"))["remaining"])
        assert seen == sorted(seen, reverse=True)
        assert len(seen) <= 3  # conflated: never more messages than purchases
    async with connect(f"ws://{live_server}/live/streams/{stream_id}/ws") as ws:
        assert json.loads(await ws.recv())["stream"]["flash_sale"]["remaining"] == 0


async def test_chat_is_signed_in_limited_and_rate_limited(
    client: Client, other_client: Client, live_server: str
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    await register(other_client, "chatty@example.com")
    url = f"/api/v1/streams/{stream_id}/chat"
    async with connect(f"ws://{live_server}/live/streams/{stream_id}/ws") as ws:
        await ws.recv()
        sent = await other_client.post(url, json={"text": "<script>alert(1)</script> hi"})
        assert sent.status_code == 201, sent.text
        message = await _next(ws, "chat")
        assert message["text"] == "<script>alert(1)</script> hi"  # plain text; pages use textContent
        assert message["user"]["display_name"] == "chatty"
        await ws.send(json.dumps({"type": "chat", "text": "anonymous"}))
        assert (await _next(ws, "error"))["code"] == "authentication_required"
        await ws.send("x" * 10_000)
        assert (await _next(ws, "error"))["code"] == "too_long"
    assert (await other_client.post(url, json={"text": "x" * 10_000})).status_code == 422
    assert (await other_client.post(url, json={"text": "y" * 201})).status_code == 422
    burst = [await other_client.post(url, json={"text": f"spam {i}"}) for i in range(100)]
    codes = [r.status_code for r in burst]
    assert codes.count(201) == 4  # 5 per 5 s, one already used above
    assert set(codes[4:]) == {429}
    assert (await client.post(url, json={"text": "host still talks"})).status_code == 201


async def test_signed_in_viewer_chats_over_the_socket(
    client: Client, other_client: Client, live_server: str
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    cookie = f"session={client.raw.cookies.get('session')}"
    async with connect(
        f"ws://{live_server}/live/streams/{stream_id}/ws", additional_headers={"Cookie": cookie}
    ) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "chat", "text": "hello room"}))
        message = await _next(ws, "chat")
        assert (message["text"], message["user"]["display_name"]) == ("hello room", "host")
    async with connect(f"ws://{live_server}/live/streams/{stream_id}/ws") as late:
        snapshot = json.loads(await late.recv())
        assert [m["text"] for m in snapshot["stream"]["chat"]] == ["hello room"]  # late joiners see it
        assert snapshot["stream"]["likes"] == 0


async def test_likes_are_aggregated_and_viewers_counted(
    client: Client, other_client: Client, live_server: str
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    url = f"ws://{live_server}/live/streams/{stream_id}/ws"
    async with connect(url) as first, connect(url) as second:
        await first.recv()
        await second.recv()
        viewers = await _next(first, "viewers")
        while viewers["count"] < 2:
            viewers = await _next(first, "viewers")
        assert viewers["count"] == 2
        for _ in range(LIKE_BURST):  # each socket taps as fast as its pace counts
            await first.send(json.dumps({"type": "like"}))
            await second.send(json.dumps({"type": "like"}))
        likes_messages = [await _next(first, "likes")]
        while likes_messages[-1]["count"] < 2 * LIKE_BURST:
            likes_messages.append(await _next(first, "likes"))
        assert likes_messages[-1]["count"] == 2 * LIKE_BURST
        assert len(likes_messages) <= 3  # conflated: a message per flush, not one per like


async def test_replay_has_product_chapters_from_pins_and_sales(client: Client, other_client: Client) -> None:
    from tests.live_helpers import launch_sale

    stream_id, ids = await streaming_room(client, other_client, brand_hosted=True)
    for product_id in (ids[0], ids[1]):
        await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": product_id})
    await client.post(f"/api/v1/streams/{stream_id}/chat", json={"text": "deal time"})
    variant_id = (await client.get(f"/api/v1/products/{ids[0]}")).json()["variants"][0]["id"]
    await launch_sale(
        client, {"stream_id": stream_id, "variant_id": variant_id}, quantity=2, limit=1, price=100
    )
    await other_client.post(f"/api/v1/streams/{stream_id}/end")  # the brand hosts; the creator moderates
    replay = (await client.get(f"/api/v1/streams/{stream_id}/replay")).json()
    assert [c["product_id"] for c in replay["chapters"]] == [ids[0], ids[1], ids[0]]
    assert all(c["at_s"] >= 0 for c in replay["chapters"])
    assert replay["chapters"][0]["title"] == "Live Item 0"
    kinds = [e["type"] for e in replay["events"]]
    assert kinds == ["shelf", "stream_started", "pin", "pin", "chat", "flash_sale", "stream_ended"]
    assert [e["seq"] for e in replay["events"]] == list(range(1, 8))
