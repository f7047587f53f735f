"""One channel subscription per room per process, and a broadcaster that writes each frame to every socket.

A room of thousands of viewers used to cost a channels Subscriber per socket: a queue, a task, and a
task wake-up per viewer per message, each re-reading the same bytes. Here a process subscribes once
per room with viewers in it (`RoomHub.join`, then `leave`); the room's one task decodes each
published message once (`Frame`) and hands it to every socket's `Outlet.offer`, which writes it
to the socket directly. The server's send writes the frame to the transport and returns without
waiting, so a message costs one loop over the sockets, not a wake-up each.

A socket that cannot take a frame now (its transport's buffer is over the high-water mark: the
viewer is not reading) gets a task of its own, which waits for it while later frames queue behind
it, at most BACKLOG of them. A socket that overflows that, or takes over SEND_TIMEOUT_S to take a
frame, is dropped: its handler is cancelled and the connection closed. The page reconnects and gets
a fresh snapshot; a client that kept its last `seq` asks to resume and gets the gap from the log.

The socket's own writes (snapshot, replay, replies) go through `Outlet.write`, which holds the
broadcast behind them, so a joiner gets its snapshot first, and a resume its replay in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any

from litestar.channels import ChannelsPlugin, Subscriber
from litestar.datastructures import State as AppState
from websockets.frames import Frame as WireFrame
from websockets.frames import Opcode
from websockets.protocol import State

from live import services
from live.snapshots import UNSEQUENCED, Snapshots

log = logging.getLogger("zhongcao")

BACKLOG = 256  # frames (shared, so 8 bytes each) a socket not reading may owe before it is dropped
SEND_TIMEOUT_S = 10.0  # the longest a socket may take to take one frame
STATE_KEY = "live_hub"
MAX_BURST = 64  # frames joined into one write per socket

try:  # uvicorn's sans-I/O websocket protocol (newer uvicorn with `websockets`): the room writes its frames
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    WIRE_SERVERS: tuple[type[Any], ...] = (WebSocketsSansIOProtocol,)
except ImportError:  # an older uvicorn: every frame goes through the server's send
    WIRE_SERVERS = ()

Send = Callable[[Any], Awaitable[None]]


class Frame:
    """One published message, decoded once per process: its type, its `seq`, and the ASGI event
    every socket of the room is handed (the same dict, the same text)."""

    __slots__ = ("event", "kind", "seq", "sequenced", "wire")

    def __init__(self, text: str, kind: str | None, seq: int) -> None:
        self.event = {"type": "websocket.send", "text": text}
        self.kind, self.sequenced, self.seq = kind, kind not in UNSEQUENCED, seq
        # The websocket frame itself: a server's frames are not masked, and an uncompressed frame
        # (RSV1 unset) is valid whether or not permessage-deflate was agreed (RFC 7692), so one
        # framing serves every socket of the room.
        self.wire = WireFrame(Opcode.TEXT, text.encode()).serialize(mask=False)

    @classmethod
    def of(cls, raw: bytes | str) -> Frame:
        message = json.loads(raw)
        text = raw.decode() if isinstance(raw, bytes) else raw
        return cls(text, message.get("type"), int(message.get("seq", 0)))


class Burst:
    """Frames published while the room was writing the one before: all of them due to a socket
    (nothing sequenced at or below its last `seq`) go out as one write of their joined bytes, so
    a busy room costs a write per socket per burst, not per frame."""

    __slots__ = ("first_seq", "frames", "last_seq", "wire")

    def __init__(self, frames: list[Frame]) -> None:
        self.frames, self.wire = frames, b"".join(frame.wire for frame in frames)
        seqs = [frame.seq for frame in frames if frame.sequenced]
        self.first_seq, self.last_seq = (min(seqs), max(seqs)) if seqs else (2**63, 0)


class _Resumed:
    """A send that already ran up to its first wait (in the broadcaster), finished in a task."""

    __slots__ = ("coro", "waiting")

    def __init__(self, coro: Generator[Any, Any, Any], waiting: Any) -> None:
        self.coro, self.waiting = coro, waiting

    def __await__(self) -> Generator[Any, Any, None]:
        value = self.waiting
        while True:
            try:
                sent = yield value
            except BaseException as error:  # a cancel or a timeout: the send decides what to do with it
                try:
                    value = self.coro.throw(error)
                except StopIteration:
                    return
            else:
                try:
                    value = self.coro.send(sent)
                except StopIteration:
                    return


class Outlet:
    """One socket's end of its room: the last `seq` it was sent, and a backlog only while it waits.

    Slotted and small: an idle viewer costs this, and a room of thousands multiplies it."""

    __slots__ = ("_backlog", "_drain", "_send", "_server", "dropped", "last_seq", "task")
    dropped_total = 0  # sockets dropped by this process, for tests and benches

    def __init__(self, send: Send) -> None:
        self._send = send
        # uvicorn's connection when `send` is its own: the broadcast then writes the room's framed
        # bytes to its transport (what that send does, without framing the text again per socket).
        server = getattr(send, "__self__", None)
        self._server: Any = server if isinstance(server, WIRE_SERVERS) else None
        self.last_seq = 0
        # Not None while someone writes (or before the first write, the snapshot): frames queue here.
        self._backlog: deque[Frame] | None = deque()
        self._drain: asyncio.Future[None] | None = None
        self.task = asyncio.current_task()  # the socket's handler: cancelled if the socket is dropped
        self.dropped = False

    def _due(self, frame: Frame) -> bool:
        return not frame.sequenced or frame.seq > self.last_seq

    def _sent(self, frame: Frame) -> None:
        if frame.sequenced and frame.seq > self.last_seq:
            self.last_seq = frame.seq

    def offer(self, frame: Frame) -> None:
        """From the broadcaster: write now, or queue behind a write in progress. Never waits."""
        if self.dropped or not self._due(frame):
            return
        if self._backlog is not None:
            if len(self._backlog) >= BACKLOG:
                self.drop("too far behind")
            else:
                self._backlog.append(frame)
            return
        if self._write_wire(frame):
            return
        coro = self._send(frame.event).__await__()  # stepped here: no task unless it must wait
        try:
            waiting = coro.send(None)
        except StopIteration:
            self._sent(frame)
            return
        except Exception:  # the socket is gone: its handler hears the disconnect and leaves
            self.dropped = True
            return
        # The socket cannot take more now: finish this frame in a task, later ones queue behind it.
        self._backlog = deque()
        self._drain = asyncio.ensure_future(self._flush(_Resumed(coro, waiting), frame))

    def offer_burst(self, burst: Burst) -> None:
        """Every frame of the burst in one write when the socket can take them all now, else one by one."""
        whole = not self.dropped and self._backlog is None and burst.first_seq > self.last_seq
        if whole and self._wire_open():
            self._server.transport.write(burst.wire)
            self.last_seq = max(self.last_seq, burst.last_seq)
            return
        for frame in burst.frames:
            self.offer(frame)

    def _wire_open(self) -> bool:
        """Whether the room may write to uvicorn's transport itself: the socket is open and its
        buffer has room. If not, the server's send decides (it waits, or raises for a closed one)."""
        server = self._server
        if server is None or server.disconnected or server.close_sent or not server.writable.is_set():
            return False
        return server.conn.state is State.OPEN

    def _write_wire(self, frame: Frame) -> bool:
        """The frame's bytes straight to the transport, if `_wire_open`."""
        if not self._wire_open():
            return False
        self._server.transport.write(frame.wire)
        self._sent(frame)
        return True

    async def _flush(self, first: Awaitable[None] | None, frame: Frame | None) -> None:
        try:
            if first is not None and frame is not None:
                async with asyncio.timeout(SEND_TIMEOUT_S):
                    await first
                self._sent(frame)
            await self._send_backlog()
        except Exception:  # a timeout, or the socket went away
            self.drop("send timed out")
        finally:
            self._drain = None

    async def _send_backlog(self) -> None:
        while self._backlog:
            queued = self._backlog.popleft()
            if self._due(queued):
                async with asyncio.timeout(SEND_TIMEOUT_S):
                    await self._send(queued.event)
                self._sent(queued)
        self._backlog = None

    async def write(self, messages: Iterable[tuple[str, bool, int]]) -> None:
        """From the socket's own task: (text, sequenced, seq) in order, the broadcast held behind
        them, then what it queued meanwhile. A socket that cannot take them raises TimeoutError."""
        while self._drain is not None:
            await asyncio.shield(self._drain)
        if self.dropped:
            raise ConnectionResetError("dropped")
        self._backlog = self._backlog if self._backlog is not None else deque()
        for text, sequenced, seq in messages:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await self._send({"type": "websocket.send", "text": text})
            if sequenced and seq > self.last_seq:
                self.last_seq = seq
        await self._send_backlog()

    def drop(self, why: str) -> None:
        if self.dropped:
            return
        self.dropped, self._backlog = True, None
        Outlet.dropped_total += 1
        log.info("live socket dropped: %s", why)
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()


class _Room:
    __slots__ = ("outlets", "ready", "subscriber", "task")

    def __init__(self) -> None:
        self.outlets: set[Outlet] = set()
        self.ready: asyncio.Future[None] | None = None
        self.subscriber: Subscriber | None = None
        self.task: asyncio.Task[None] | None = None


class RoomHub:
    """This process's rooms with sockets in it: one subscription and one broadcasting task each.
    `subscriptions` counts the subscriptions made, `bursts` the writes of several frames at once
    (for tests and benches)."""

    def __init__(self, channels: ChannelsPlugin, snapshots: Snapshots) -> None:
        self.channels, self.snapshots = channels, snapshots
        self._rooms: dict[int, _Room] = {}
        self._closing: set[asyncio.Future[None]] = set()
        self.subscriptions = self.bursts = 0

    def audience(self, stream_id: int) -> int:
        room = self._rooms.get(stream_id)
        return len(room.outlets) if room else 0

    async def join(self, stream_id: int, outlet: Outlet) -> None:
        """The outlet hears the room's messages (held until its first write) until it `leave`s.
        Two calls, not a context manager: an idle viewer holds no generator for it."""
        room = self._rooms.get(stream_id)
        if room is None:
            room = self._rooms[stream_id] = _Room()
            room.ready = asyncio.ensure_future(self._subscribe(stream_id, room))
        room.outlets.add(outlet)
        assert room.ready is not None
        await asyncio.shield(room.ready)  # a joiner that leaves must not cancel the others' wait

    def leave(self, stream_id: int, outlet: Outlet) -> None:
        room = self._rooms.get(stream_id)
        if room is None or outlet not in room.outlets:
            return
        room.outlets.remove(outlet)
        if not room.outlets:
            del self._rooms[stream_id]
            self.snapshots.hearing(stream_id, False)
            closing = asyncio.ensure_future(self._close(room))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    async def _subscribe(self, stream_id: int, room: _Room) -> None:
        room.subscriber = await self.channels.subscribe([services.channel_name(stream_id)])
        self.subscriptions += 1
        room.task = asyncio.create_task(self._broadcast(stream_id, room, room.subscriber))
        if self._rooms.get(stream_id) is room:  # not left meanwhile
            self.snapshots.hearing(stream_id, True)

    async def _broadcast(self, stream_id: int, room: _Room, subscriber: Subscriber) -> None:
        events = subscriber.iter_events()
        async for raw in events:
            published = [raw]
            while subscriber.qsize and len(published) < MAX_BURST:  # queued while the last was written
                try:
                    published.append(await anext(events))
                except StopAsyncIteration:  # the subscriber stopped: the `async for` ends next
                    break
            frames = self._frames(stream_id, published)
            if len(frames) == 1:
                for outlet in room.outlets:
                    outlet.offer(frames[0])
            elif frames:
                burst = Burst(frames)
                self.bursts += 1
                for outlet in room.outlets:
                    outlet.offer_burst(burst)

    def _frames(self, stream_id: int, published: list[bytes]) -> list[Frame]:
        frames = []
        for raw in published:
            try:
                frame = Frame.of(raw)
            except (ValueError, TypeError):
                log.warning("room %s: unreadable message dropped", stream_id)
                continue
            self.snapshots.heard(stream_id, frame.kind, frame.seq)  # keeps the joiners' snapshot current
            frames.append(frame)
        return frames

    async def _close(self, room: _Room) -> None:
        if room.ready is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(room.ready)
        if room.task is not None:
            room.task.cancel()
        if room.subscriber is not None:
            await self.channels.unsubscribe(room.subscriber)


def hub_of(state: AppState, channels: ChannelsPlugin, snapshots: Snapshots) -> RoomHub:
    """The app's hub, kept in its state (one per app and channels plugin, as tests make several)."""
    found = state.get(STATE_KEY)
    if not isinstance(found, RoomHub) or found.channels is not channels or found.snapshots is not snapshots:
        found = state[STATE_KEY] = RoomHub(channels, snapshots)
    return found
