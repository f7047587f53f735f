"""The live room's websocket: a snapshot first, then every event in sequence, resumable by `seq`.

Fan-out goes through Litestar's ChannelsPlugin (memory backend, or Redis pub/sub across processes).
Each subscriber has a bounded backlog that drops the oldest messages: a slow viewer never slows the
others, notices the gap in `seq`, and asks to resume. No DB session lives as long as a socket: each
read opens a short one. What a viewer may send, and how often, is `live.socket_limits`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import chat, services
from live.counters import RoomCounters
from live.moderation import services as moderation
from live.snapshots import Snapshots, snapshots_of
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
from shop.core.errors import AppError, AuthenticationRequired
from shop.core.ratelimit import AttemptCounter
from shop.core.security import origin_allowed
from shop.settings import Settings

RESUME_LIMIT = 500
UNSEQUENCED = frozenset({"viewers", "likes", "stock"})
BLOCK_RECHECK_S = 5.0


@functools.lru_cache(maxsize=256)
def _decoded(raw: bytes) -> tuple[str, str | None, int]:
    """Every subscriber of a channel is handed the same bytes: parse once, not once per viewer,
    and forward the published text as it is (no re-encoding per socket)."""
    message = json.loads(raw)
    return raw.decode(), message.get("type"), int(message.get("seq", 0))


class Room:
    """One viewer's connection: serialised sends and the last sequence number delivered.

    Slotted, with budgets made at the first frame: most viewers never send one, and an idle
    viewer's memory is what a room of thousands multiplies."""

    __slots__ = (
        "_blocked",
        "_blocked_checked",
        "_budgets",
        "_send_lock",
        "attempts",
        "counters",
        "host_id",
        "last_seq",
        "publish",
        "session",
        "sessions",
        "snapshots",
        "socket",
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
        publish: Callable[[dict[str, Any], str], None],
    ):
        self.socket, self.snapshots, self.stream_id, self.host_id = socket, snapshots, stream_id, host_id
        self.sessions: async_sessionmaker[AsyncSession] = socket.app.state["sessions"]
        self.counters, self.attempts, self.publish = counters, attempts, publish
        self.last_seq = 0
        self._send_lock = asyncio.Lock()
        self._budgets: Budgets | None = None
        # The session as the handshake saw it; dropped once it is found signed out (see `chat`).
        self.session: Any = socket.scope.get("session")
        self._blocked, self._blocked_checked = False, -BLOCK_RECHECK_S

    @property
    def budgets(self) -> Budgets:
        if self._budgets is None:
            self._budgets = Budgets()
        return self._budgets

    async def send(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, separators=(",", ":"))
        await self._send_text(text, message.get("type"), int(message.get("seq", 0)))

    async def _send_text(self, text: str, kind: str | None, seq: int) -> None:
        async with self._send_lock:
            await self.socket.send_text(text)
        if kind not in UNSEQUENCED:
            self.last_seq = max(self.last_seq, seq)

    async def send_snapshot(self) -> None:
        """The shared snapshot (`live.snapshots`) with this room's counters."""
        text, seq = await self.snapshots.current(self.stream_id, await self.counters.totals(self.stream_id))
        self.last_seq = 0
        await self._send_text(text, "snapshot", seq)

    async def resume(self, after_seq: int) -> None:
        async with self.sessions() as db:
            missed = await services.events_after(db, self.stream_id, after_seq, RESUME_LIMIT + 1)
        if len(missed) > RESUME_LIMIT or (missed and missed[0]["seq"] != after_seq + 1 and after_seq > 0):
            await self.send_snapshot()  # too far behind: start again from the current state
            return
        for message in missed:
            await self.send(message)

    async def forward(self, raw: bytes) -> None:
        text, kind, seq = _decoded(raw)
        if kind == "stock":
            self.snapshots.stale(self.stream_id)
        if kind not in UNSEQUENCED and seq <= self.last_seq:
            return  # already delivered by the snapshot or a resume
        await self._send_text(text, kind, seq)

    async def read_client(self) -> None:
        """Read frames until the viewer leaves, or floods and is closed."""
        while True:
            text = await self.socket.receive_text()
            if not self.budgets.messages.take():
                if self.budgets.messages.flooded:
                    async with self._send_lock:
                        await self.socket.close(code=POLICY_VIOLATION, reason="too many messages")
                    return
                await self.send(rate_limited(self.budgets.messages, "Too many messages: slow down."))
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
            await self.send(rate_limited(self.budgets.resumes, "Resuming too often: wait a moment."))
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
                {"type": "error", "code": "authentication_required", "message": "Sign in to chat."}
            )
            return
        if not self.budgets.chats.take():
            slow = f"Slow down: at most {chat.BURST} messages every {chat.WINDOW_S} seconds."
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
async def stream_socket(
    socket: WebSocket[Any, Any, Any],
    stream_id: int,
    channels: ChannelsPlugin,
    settings: Settings,
    counters: RoomCounters,
    attempts: AttemptCounter,
) -> None:
    if not origin_allowed(socket, settings):
        await socket.close(code=4403, reason="origin not allowed")
        return
    snapshots = snapshots_of(socket.app.state)
    host_id = await snapshots.host_of(stream_id)
    if host_id is None:
        await socket.close(code=4404, reason="no such stream")
        return
    await socket.accept()
    room = Room(socket, snapshots, stream_id, host_id, counters, attempts, channels.publish)
    channel = services.channel_name(stream_id)
    async with channels.start_subscription([channel]) as subscriber:
        await room.send_snapshot()
        await counters.viewer(stream_id, channel, +1)
        try:
            # The frames are read in this handler's own task: no reader task per viewer.
            async with subscriber.run_in_background(room.forward, join=False):
                await room.read_client()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await counters.viewer(stream_id, channel, -1)
