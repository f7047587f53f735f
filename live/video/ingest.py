"""The ingest socket: who may publish a stream's video, and one publisher at a time.

Only the stream's host publishes (moderators run the shop, not the camera); anyone else, signed in
or not, is told the stream does not exist (4404), as the API's 404. The Origin is checked like the
room's socket. A stream has one publishing device: the console names itself with a random
`publisher` token, and a second device is refused (4409) while the first is connected and for a
grace period after it dropped, so a phone on a flaky network gets its slot back; the same token
reconnecting takes over at once (the server may not have noticed the drop yet).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Parameter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live.models import Stream, StreamStatus
from live.video import paths
from live.video.publishing import Limits, Publisher
from shop.accounts.sessions import session_user
from shop.core.schemas import RowId
from shop.core.security import origin_allowed
from shop.settings import Settings

log = logging.getLogger("zhongcao.live")

STATE_KEY = "video_slots"


@dataclass(slots=True)
class Slot:
    token: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    publisher: Publisher | None = None
    left_at: float = 0.0


class Slots:
    """This process's publishers by stream (the ingest of one stream goes to one process: the
    encoder writes that process's disk)."""

    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self._slots: dict[int, Slot] = {}

    def claim(self, stream_id: int, token: str) -> Slot | None:
        slot = self._slots.get(stream_id)
        if slot is None:
            slot = self._slots[stream_id] = Slot(token)
        elif slot.token != token:
            if slot.publisher is not None or time.monotonic() - slot.left_at < self.grace_s:
                return None
            slot.token = token
        return slot

    def publishing(self, stream_id: int) -> bool:
        slot = self._slots.get(stream_id)
        return slot is not None and slot.publisher is not None


def slots_of(state: State, settings: Settings) -> Slots:
    if STATE_KEY not in state:
        state[STATE_KEY] = Slots(settings.video_reconnect_grace_s)
    slots: Slots = state[STATE_KEY]
    return slots


async def _refusal(socket: WebSocket[Any, Any, Any], stream_id: int) -> tuple[int, str] | None:
    sessions: async_sessionmaker[AsyncSession] = socket.app.state["sessions"]
    async with sessions() as db:
        user = await session_user(db, socket.scope.get("session"))
        stream = await db.get(Stream, stream_id)
    if stream is None or user is None or stream.host_id != user.id:
        return 4404, "no such stream"
    if stream.status == StreamStatus.ENDED:
        return 4409, "the stream has ended"
    return None


async def _use_embedded_playback(socket: WebSocket[Any, Any, Any], stream_id: int) -> None:
    """The room plays what this socket publishes."""
    sessions: async_sessionmaker[AsyncSession] = socket.app.state["sessions"]
    async with sessions() as db, db.begin():
        await db.execute(
            update(Stream).where(Stream.id == stream_id).values(playback_url=paths.playlist_url(stream_id))
        )


@websocket("/live/streams/{stream_id:int}/ingest")
async def ingest_socket(
    socket: WebSocket[Any, Any, Any],
    stream_id: RowId,
    settings: Settings,
    publisher: str | None = Parameter(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$"),
) -> None:
    if not origin_allowed(socket, settings):
        await socket.close(code=4403, reason="origin not allowed")  # refused before the upgrade
        return
    # Accepted, then closed with a code and reason the console can show (a refused upgrade says none).
    await socket.accept()
    refusal = await _refusal(socket, stream_id)
    if refusal is not None:
        await socket.close(code=refusal[0], reason=refusal[1])
        return
    # Without a token (a tool, not the console) each connection is a device of its own.
    slot = slots_of(socket.app.state, settings).claim(stream_id, publisher or secrets.token_urlsafe(16))
    if slot is None:
        await socket.close(code=4409, reason="another device is publishing this stream")
        return
    if slot.publisher is not None:  # this device again, before its old connection was seen to drop
        slot.publisher.replaced = True
        await slot.publisher.socket.close(code=4000, reason="replaced by a new connection")
    await _use_embedded_playback(socket, stream_id)
    limits = Limits(
        settings.video_chunk_max_bytes,
        settings.video_min_free_bytes,
        settings.video_segment_s,
        settings.var_dir / "logs",
    )
    async with slot.lock:
        slot.publisher = Publisher(socket, paths.stream_folder(settings.media_dir, stream_id), limits)
        try:
            await slot.publisher.run()
        except WebSocketDisconnect:
            log.info("stream %s: the host's connection closed; the slot waits for a reconnect", stream_id)
        except (RuntimeError, OSError) as error:  # a send on a dead socket, or the media folder failing
            log.warning("stream %s: ingest stopped (%r); the slot waits for a reconnect", stream_id, error)
        finally:
            slot.publisher, slot.left_at = None, time.monotonic()
