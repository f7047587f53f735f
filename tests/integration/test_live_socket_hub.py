"""The room's broadcast (live.hub): one subscription per room per process, shared by every socket,
and a viewer that stops reading is dropped while the others keep receiving, then resumes by seq."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from live import services
from live.deps import room_parts
from live.hub import STATE_KEY, Outlet, RoomHub
from shop.settings import Settings
from tests.helpers import Client
from tests.live_helpers import next_message, queries_of, served, streaming_room

FLOOD, PAD = 2000, 8000  # at most 16 MB: more than the kernel's and the transport's buffers hold


def _hub(app: Litestar) -> RoomHub:
    hub = app.state[STATE_KEY]
    assert isinstance(hub, RoomHub)
    return hub


async def _until(check: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_sockets_of_a_room_share_one_subscription(
    app: Litestar, client: Client, other_client: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    channels = app.plugins.get(ChannelsPlugin)
    channel = services.channel_name(stream_id)
    async with served(app) as where:
        viewers = [await connect(f"ws://{where}/live/streams/{stream_id}/ws") for _ in range(12)]
        try:
            snapshots = [json.loads(await ws.recv()) for ws in viewers]
            hub = _hub(app)
            assert hub.audience(stream_id) == 12
            assert hub.subscriptions == 1
            assert len(channels._channels[channel]) == 1  # one Subscriber for the room, not one a socket
            pinned = await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
            assert pinned.status_code == 200
            pins = [await next_message(ws, "pin") for ws in viewers]
            assert {p["seq"] for p in pins} == {snapshots[0]["seq"] + 1}
        finally:
            for ws in viewers:
                await ws.close()
        await _until(lambda: hub.audience(stream_id) == 0 and not channels._channels.get(channel))
        # The room is subscribed again when someone comes back.
        async with connect(f"ws://{where}/live/streams/{stream_id}/ws") as again:
            assert json.loads(await again.recv())["type"] == "snapshot"
            assert hub.subscriptions == 2
            assert hub.audience(stream_id) == 1


async def test_a_broadcast_framed_once_reaches_every_socket_whole_and_in_order(
    app: Litestar, client: Client, other_client: Client
) -> None:
    """The hub frames each message once and writes the bytes to every uvicorn socket: the three
    lengths a websocket frame encodes (7 bits, 16 bits, 64 bits) arrive whole, in order, and
    non-ASCII text survives (the length is of the encoded bytes)."""
    stream_id, _ = await streaming_room(client, other_client)
    channels = app.plugins.get(ChannelsPlugin)
    texts = ["a", "直播" * 100, "x" * 70_000]
    async with served(app) as where:
        viewers = [await connect(f"ws://{where}/live/streams/{stream_id}/ws") for _ in range(3)]
        try:
            for ws in viewers:
                assert json.loads(await ws.recv())["type"] == "snapshot"
            for n, text in enumerate(texts):
                channels.publish(
                    {"type": "likes", "count": n, "pad": text}, [services.channel_name(stream_id)]
                )
            for ws in viewers:
                got = [await next_message(ws, "likes") for _ in texts]
                assert [(m["count"], m["pad"]) for m in got] == list(enumerate(texts))
        finally:
            for ws in viewers:
                await ws.close()


async def _publish_at_once(
    channels: ChannelsPlugin, settings: Settings, channel: str, messages: list[dict[str, Any]]
) -> None:
    """Published in one turn of the loop (in-process channels), or in one Redis round trip: each
    `publish` of the plugin is a round trip of its own, so its messages reach the room apart."""
    if not settings.redis_url:
        for message in messages:
            channels.publish(message, [channel])
        return
    redis = Redis.from_url(settings.redis_url)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for message in messages:
                pipe.publish(channel, json.dumps(message))
            await pipe.execute()
    finally:
        await redis.aclose()


async def test_messages_published_at_once_go_out_as_one_burst_each_socket_getting_only_what_is_new(
    app: Litestar, client: Client, other_client: Client, settings: Settings
) -> None:
    """Frames queued while the room wrote the last one go to each socket in one write; a frame a
    socket already has (sequenced at or below its last `seq`) is still left out, and order kept."""
    stream_id, _ = await streaming_room(client, other_client)
    channels = app.plugins.get(ChannelsPlugin)
    channel = [services.channel_name(stream_id)]
    async with served(app) as where:
        viewers = [await connect(f"ws://{where}/live/streams/{stream_id}/ws") for _ in range(3)]
        try:
            snapshots = [json.loads(await ws.recv()) for ws in viewers]
            seq = snapshots[0]["seq"]
            hub = _hub(app)
            channels.publish({"type": "likes", "count": 0}, channel)  # the room's task is running
            for ws in viewers:
                await next_message(ws, "likes")
            bursts = hub.bursts
            # One turn of the loop: all of them are queued before the room's task wakes up.
            sent = [("pin", seq + 1), ("likes", 1), ("pin", seq), ("pin", seq + 2), ("likes", 2)]
            messages = [{"type": kind, "seq": n, "count": n} for kind, n in sent]
            await _publish_at_once(
                channels, settings, channel[0], [*messages, {"type": "unpin", "seq": seq + 3}]
            )
            for ws in viewers:
                got = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(5)]
                # seq itself is the snapshot's: every socket has it, so it is not sent again.
                assert [(m["type"], m.get("seq", m.get("count"))) for m in got] == [
                    ("pin", seq + 1),
                    ("likes", 1),
                    ("pin", seq + 2),
                    ("likes", 2),
                    ("unpin", seq + 3),
                ]
            assert hub.bursts > bursts
        finally:
            for ws in viewers:
                await ws.close()


async def _slow_viewer(where: str, stream_id: int) -> ClientConnection:
    """A viewer that stops reading after its snapshot: a tiny receive buffer, and a client that
    stops reading the socket once one frame waits unread."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = where.split(":")
    raw.connect((host, int(port)))
    raw.setblocking(False)
    return await connect(f"ws://{where}/live/streams/{stream_id}/ws", sock=raw, max_queue=1)


async def _count_flood(ws: ClientConnection, seen: list[int]) -> None:
    async for raw in ws:
        if '"flood"' in str(raw):
            seen.append(1)


async def test_a_slow_socket_is_dropped_and_resumes_while_others_keep_receiving(
    app: Litestar, client: Client, other_client: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    channels = app.plugins.get(ChannelsPlugin)
    async with served(app) as where:
        url = f"ws://{where}/live/streams/{stream_id}/ws"
        async with connect(url) as fast:
            slow = await _slow_viewer(where, stream_id)
            last_seq = json.loads(await slow.recv())["seq"]
            await fast.recv()
            hub = _hub(app)
            await _until(lambda: hub.audience(stream_id) == 2)
            seen: list[int] = []
            dropped_before = Outlet.dropped_total
            reader = asyncio.create_task(_count_flood(fast, seen))
            published = 0  # unsequenced and large, until the slow one is out (a few MB), paced so
            while hub.audience(stream_id) == 2 and published < FLOOD:  # the room's own queue keeps up
                message = {"type": "likes", "count": published, "flood": "x" * PAD}
                channels.publish(message, [services.channel_name(stream_id)])
                published += 1
                if published % 20 == 0:
                    await asyncio.sleep(0.005)
            await _until(lambda: hub.audience(stream_id) == 1)  # the slow one is out
            assert Outlet.dropped_total == dropped_before + 1
            await _until(lambda: len(seen) == published)  # the fast one got every message
            reader.cancel()
            pinned = await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[1]})
            assert pinned.status_code == 200
            assert (await next_message(fast, "pin"))["seq"] == last_seq + 1
        # The dropped viewer finds its connection closed, reconnects and asks for what it missed.
        try:
            async with asyncio.timeout(30):
                async for _ in slow:
                    pass
        except ConnectionClosed:
            pass
        assert slow.state.name == "CLOSED"
        async with connect(url) as back:
            assert json.loads(await back.recv())["type"] == "snapshot"
            await back.send(json.dumps({"type": "resume", "after_seq": last_seq}))
            missed = await next_message(back, "pin")
        assert missed["seq"] == last_seq + 1
        assert missed["product"]["id"] == ids[1]


async def test_joiners_of_a_heard_room_cost_no_query_until_it_changes(
    app: Litestar, client: Client, other_client: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    async with served(app) as where:
        url = f"ws://{where}/live/streams/{stream_id}/ws"
        async with connect(url) as first:
            seq = json.loads(await first.recv())["seq"]
            with queries_of(app, "stream") as seen:
                herd = [await connect(url) for _ in range(8)]
                snapshots = [json.loads(await ws.recv()) for ws in herd]
            assert seen == []  # the room's copy is current while the hub hears the room
            assert {s["seq"] for s in snapshots} == {seq}
            pinned = await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
            assert pinned.status_code == 200
            await next_message(first, "pin")  # heard by this process too, so the copy is gone
            async with connect(url) as late:
                snapshot = json.loads(await late.recv())
            assert snapshot["seq"] == seq + 1
            assert snapshot["stream"]["pinned"]["id"] == ids[0]
            for ws in herd:
                await ws.close()


async def test_a_herd_of_viewers_joining_is_counted_in_a_few_round_trips(
    app: Litestar, settings: Settings
) -> None:
    """Each joiner adds one viewer: 300 at once share the counters' trips to Redis (with Redis;
    in memory there is no trip), and every one of them is counted."""
    counters = room_parts(app.state).counters
    room = 2**40 + 17  # a room of its own: the counters are keyed by id only
    trips = counters.trips
    totals = await asyncio.gather(*(counters.viewer(room, "x", +1) for _ in range(300)))
    assert max(totals) == 300
    assert (await counters.totals(room, exact=True))["viewers"] == 300
    assert counters.trips - trips in ({1, 2, 3} if settings.redis_url else {0})
    await asyncio.gather(*(counters.viewer(room, "x", -1) for _ in range(300)))
    assert (await counters.totals(room, exact=True))["viewers"] == 0
