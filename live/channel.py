"""The live room's websocket: a snapshot first, then every event in sequence, resumable by `seq`.

Fan-out goes through `live.hub`: one channel subscription per room per process (memory backend, or
Redis pub/sub across processes), and a broadcaster that writes each frame to every socket of the
room. A viewer that stops reading is dropped, never waited for: the page reconnects, and a client
that kept its `seq` resumes. No DB session lives as long as a socket: each read opens a short one.
What a viewer may send, and how often, is `live.socket_limits`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import chat, services
from live.counters import RoomCounters
from live.deps import room_parts
from live.hub import Outlet, hub_of
from live.moderation import services as moderation
from live.snapshots import UNSEQUENCED, Snapshots, snapshots_of
from live.socket_limits import (
    POLICY_VIOLATION,
    BadMessage,
    Budgets,
    ChatMessage,
    ClientMessage,
    LikeMessage,
    parse,
    rate_limited,
)
from shop.accounts.sessions import session_ids, session_user
from shop.core import i18n
from shop.core.asgi import RAW_SEND, THEN
from shop.core.errors import AppError, AuthenticationRequired
from shop.core.i18n import N_, gettext
from shop.core.ratelimit import AttemptCounter
from shop.core.security import origin_allowed

RESUME_LIMIT = 500
FLOODED = "too many messages"
BLOCK_RECHECK_S = 5.0


class Room(Outlet):
    """One viewer's connection: its outlet in the room's broadcast (the last `seq` delivered) and
    what it may do.

    Slotted, with budgets made at the first frame: most viewers never send one, and an idle
    viewer's memory is what a room of thousands multiplies."""

    __slots__ = (
        "_blocked",
        "_blocked_checked",
        "_budgets",
        "attempts",
        "counters",
        "host_id",
        "hub",
        "locale",
        "publish",
        "session",
        "sessions",
        "snapshots",
        "stream_id",
    )

    def __init__(
        self,
        socket: WebSocket[Any, Any, Any],
        snapshots: Snapshots,
        stream_id: int,
        host_id: int,
        counters: RoomCounters,
        attempts: AttemptCounter,
        channels: ChannelsPlugin,
    ):
        # The server's own send when there is one (shop.core.asgi): the broadcast writes with it.
        # The socket itself is not kept: past the handshake the room needs only its send and receive.
        send: Any = socket.scope.get(RAW_SEND) or socket.send
        super().__init__(send)
        self.snapshots, self.stream_id, self.host_id = snapshots, stream_id, host_id
        self.sessions: async_sessionmaker[AsyncSession] = socket.app.state["sessions"]
        self.counters, self.attempts, self.publish = counters, attempts, channels.publish
        self.hub = hub_of(socket.app.state, channels, snapshots)
        self.locale = i18n.current()  # the handshake's language, for replies once past Litestar's chain
        self._budgets: Budgets | None = None
        # The session as the handshake saw it; dropped once it is found signed out (see `chat`).
        self.session: Any = socket.scope.get("session")
        self._blocked, self._blocked_checked = False, -BLOCK_RECHECK_S

    @property
    def budgets(self) -> Budgets:
        if self._budgets is None:
            self._budgets = Budgets()
        return self._budgets

    async def send(self, *messages: dict[str, Any]) -> None:
        """This socket's own messages, in order, with the room's broadcast held behind them."""
        await self.write(
            (json.dumps(m, separators=(",", ":")), m.get("type") not in UNSEQUENCED, int(m.get("seq", 0)))
            for m in messages
        )

    async def send_snapshot(self) -> None:
        """The shared snapshot (`live.snapshots`) with this room's counters."""
        text, seq = await self.snapshots.current(self.stream_id, await self.counters.totals(self.stream_id))
        self.last_seq = 0
        await self.write([(text, True, seq)])

    async def resume(self, after_seq: int) -> None:
        async with self.sessions() as db:
            missed = await services.events_after(db, self.stream_id, after_seq, RESUME_LIMIT + 1)
        if len(missed) > RESUME_LIMIT or (missed and missed[0]["seq"] != after_seq + 1 and after_seq > 0):
            await self.send_snapshot()  # too far behind: start again from the current state
            return
        await self.send(*missed)

    async def live(self, receive: Callable[[], Awaitable[Any]]) -> None:
        """The accepted connection, to its end: a snapshot, then the room's broadcast while the
        viewer's own frames are read here (in the handler's task: no reader task per viewer)."""
        if self.locale is not None:
            i18n.use(self.locale)
        channel = services.channel_name(self.stream_id)
        try:
            try:
                await self.hub.join(self.stream_id, self)
                await self.send_snapshot()
                await self.counters.viewer(self.stream_id, channel, +1)
                try:
                    await self.read_client(receive)
                finally:
                    await self.counters.viewer(self.stream_id, channel, -1)
            finally:
                self.hub.leave(self.stream_id, self)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        except asyncio.CancelledError:
            if not self.dropped:
                raise  # a shutdown, not the hub dropping a viewer that stopped reading

    async def read_client(self, receive: Callable[[], Awaitable[Any]]) -> None:
        """Read frames until the viewer leaves, or floods and is closed."""
        while True:
            event = await receive()
            if event["type"] != "websocket.receive":
                return  # websocket.disconnect
            text = event.get("text") or ""
            if not self.budgets.messages.take():
                if self.budgets.messages.flooded:
                    await self._send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": FLOODED})
                    return
                await self.send(rate_limited(self.budgets.messages, N_("Too many messages: slow down.")))
                continue
            try:
                message = parse(text)
            except BadMessage as bad:
                await self.send(bad.body)
                continue
            await self.handle(message)

    async def handle(self, message: ClientMessage) -> None:
        if isinstance(message, LikeMessage):
            # Likes over the socket's pace are folded into the ones already counted.
            if self.budgets.likes.take() and not await self.blocked():
                await self.counters.like(self.stream_id, services.channel_name(self.stream_id))
        elif isinstance(message, ChatMessage):
            await self.chat(message.text)
        elif not self.budgets.resumes.take():
            await self.send(rate_limited(self.budgets.resumes, N_("Resuming too often: wait a moment.")))
        else:
            await self.resume(message.after_seq)

    async def blocked(self) -> bool:
        """Whether the host blocked this viewer (their likes are not counted). Asked again at most
        every few seconds: likes come fast, and a block need not bite within the second."""
        ids = session_ids(self.session)
        if ids is None:
            return False
        if time.monotonic() - self._blocked_checked >= BLOCK_RECHECK_S:
            async with self.sessions() as db:
                self._blocked = await moderation.is_blocked(db, self.host_id, ids[0])
            self._blocked_checked = time.monotonic()
        return self._blocked

    async def chat(self, text: str) -> None:
        if session_ids(self.session) is None:
            await self.send(
                {"type": "error", "code": "authentication_required", "message": gettext("Sign in to chat.")}
            )
            return
        if not self.budgets.chats.take():
            slow = gettext(
                "Slow down: at most %(n)s messages every %(s)s seconds.", n=chat.BURST, s=chat.WINDOW_S
            )
            await self.send(rate_limited(self.budgets.chats, slow))
            return
        try:
            async with self.sessions() as db, db.begin():
                # Checked on every line: a sign-out, or a revoke from another device, ends the
                # socket's right to chat even though the socket stays open.
                user = await session_user(db, self.session)
                if user is None:
                    self.session = None  # signed out for good: later lines cost no query
                    raise AuthenticationRequired("Sign in to chat.")
                said = await chat.say(db, self.attempts, user, self.stream_id, text)
        except AppError as error:
            await self.send({"type": "error", **error.to_body()})
            return
        # Only the author hears a command's outcome, or a line the host's keywords kept from the room.
        if said.kind == "command":
            await self.send({**said.reply, "type": "command_done"})
        elif said.kind == "private":
            await self.send(said.reply)
        for event in said.events:
            self.publish(event, services.channel_name(self.stream_id))


@websocket("/live/streams/{stream_id:int}/ws")
async def stream_socket(socket: WebSocket[Any, Any, Any], stream_id: int) -> None:
    parts = room_parts(socket.app.state)
    if not origin_allowed(socket, parts.settings):
        await socket.close(code=4403, reason="origin not allowed")
        return
    snapshots = snapshots_of(socket.app.state)
    host_id = await snapshots.host_of(stream_id)
    if host_id is None:
        await socket.close(code=4404, reason="no such stream")
        return
    await socket.accept()
    room = Room(socket, snapshots, stream_id, host_id, parts.counters, parts.attempts, parts.channels)
    if RAW_SEND in socket.scope:  # our App: it runs the room once Litestar's chain has unwound
        socket.scope[THEN] = room.live  # type: ignore[literal-required]
    else:
        await room.live(socket.receive)
