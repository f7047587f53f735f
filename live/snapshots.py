"""The room snapshot a joiner is sent first: built once per change, shared by everyone who joins in between.

A herd of viewers joining one room must not cost a DB build each. Every structural change to a room
(shelf, pin, a sale launched or ended, chat, deletes, chat settings, announcements, status) is a
sequenced event, so the shared copy is keyed by the stream's `seq`: one task builds it while the
concurrent joiners await that task, and it is encoded to JSON once. It holds nothing per viewer.

What the log does not sequence is refreshed on its own terms: a `stock` message seen for the room
drops the copy, and a copy older than MAX_AGE_S is rebuilt (availability moved by ordinary orders
publishes nothing). Likes, viewers and the clock stamp are added per socket, as before.

While this process's hub listens to the room (`live.hub`), a joiner costs no query at all: every
event committed after a copy's build began is published after its commit, so the hub hears it
(`heard`) and drops the copy; a copy built while the room was heard is current until then. A joiner
who arrives between an event's publish and the hub hearing it gets the event right after its
snapshot, as it is in the room by then.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import State
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live import services
from live.cards import current_sale, shelf_cards
from live.models import Stream
from live.moderation import messages
from shop.core import clock
from shop.core.once import Once

UNSEQUENCED = frozenset({"viewers", "likes", "stock"})
RECENT_CHAT = 30
MAX_AGE_S = 2.0
KEEP_ROOMS = 256
STATE_KEY = "live_snapshots"
_COMPACT = (",", ":")


async def build_snapshot(db: AsyncSession, stream: Stream) -> dict[str, Any]:
    products = await shelf_cards(db, stream.id)
    return {
        "type": "snapshot",
        "seq": stream.seq,
        "stream": {
            "id": stream.id,
            "title": stream.title,
            "status": stream.status,
            "host_id": stream.host_id,
            "playback_url": stream.playback_url,
            "products": products,
            "pinned": next((p for p in products if p["id"] == stream.pinned_product_id), None),
            "flash_sale": await current_sale(db, stream.id, products),
            "chat": await services.recent_events(db, stream.id, "chat", RECENT_CHAT),
            "chat_settings": messages.settings_of(stream),
            "announcement": next(iter(await services.recent_events(db, stream.id, "announcement", 1)), None),
        },
    }


@dataclass(slots=True)
class _Shared:
    seq: int
    head: str  # the snapshot's JSON without its closing "}}": the per-socket tail goes there
    built: float


class Snapshots:
    """One app's shared snapshots, per stream. `builds` counts the DB builds (for tests and benches)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._ready: dict[int, _Shared] = {}
        self._building: dict[int, tuple[int, asyncio.Future[_Shared]]] = {}
        self._hosts: dict[int, int] = {}  # a stream's host never changes, and streams are never deleted
        self._host_reads: Once[int, int | None] = Once()  # a herd of first joiners: one read
        self._heard_since: dict[int, float] = {}  # rooms the hub listens to, from when
        self.builds = 0

    async def host_of(self, stream_id: int) -> int | None:
        """The stream's host, or None if there is no such stream: a query only the first time (for
        the whole herd of a room's first joiners)."""
        known = self._hosts.get(stream_id)
        return (
            known
            if known is not None
            else await self._host_reads(stream_id, lambda: self._read_host(stream_id))
        )

    async def _read_host(self, stream_id: int) -> int | None:
        async with self.sessions() as db:
            host_id = await db.scalar(select(Stream.host_id).where(Stream.id == stream_id))
        if host_id is not None:
            self._hosts[stream_id] = host_id
        return host_id

    async def current(self, stream_id: int, counters: dict[str, int]) -> tuple[str, int]:
        """The snapshot's text for one socket, and its seq. Costs nothing while the hub hears the room
        and the copy is current, else one primary-key read when shared."""
        shared = self._heard_copy(stream_id)
        if shared is None:
            async with self.sessions() as db:
                seq = await db.scalar(select(Stream.seq).where(Stream.id == stream_id))
            shared = await self._shared(stream_id, seq or 0)
        tail = json.dumps(counters, separators=_COMPACT)[1:-1]
        return f'{shared.head},{tail}}},"ts":{json.dumps(clock.timestamp())}}}', shared.seq

    def stale(self, stream_id: int) -> None:
        """Something unsequenced in the room moved (a `stock` message): the next joiner rebuilds."""
        self._ready.pop(stream_id, None)

    def hearing(self, stream_id: int, on: bool) -> None:
        """The hub's subscription to the room is live (or ended): copies built from now on are
        kept current by `heard`."""
        if on:
            self._heard_since[stream_id] = time.monotonic()
        else:
            self._heard_since.pop(stream_id, None)

    def heard(self, stream_id: int, kind: str | None, seq: int) -> None:
        """A message the hub heard in the room: a newer event, or a stock move, ends the copy."""
        ready = self._ready.get(stream_id)
        if ready is not None and (kind == "stock" or (kind not in UNSEQUENCED and seq > ready.seq)):
            del self._ready[stream_id]

    def _heard_copy(self, stream_id: int) -> _Shared | None:
        ready, since = self._ready.get(stream_id), self._heard_since.get(stream_id)
        if ready is None or since is None or ready.built < since:
            return None
        return ready if time.monotonic() - ready.built < MAX_AGE_S else None

    async def _shared(self, stream_id: int, seq: int) -> _Shared:
        ready = self._ready.get(stream_id)
        if ready is not None and ready.seq >= seq and time.monotonic() - ready.built < MAX_AGE_S:
            return ready
        building = self._building.get(stream_id)
        if building is None or building[0] < seq:
            building = (seq, asyncio.ensure_future(self._build(stream_id)))
            self._building[stream_id] = building
            building[1].add_done_callback(lambda done: self._done(stream_id, done))
        # Shielded: a joiner who leaves mid-build must not cancel the build the others await.
        return await asyncio.shield(building[1])

    def _done(self, stream_id: int, done: asyncio.Future[_Shared]) -> None:
        if self._building.get(stream_id, (0, None))[1] is done:
            del self._building[stream_id]
        if not done.cancelled() and done.exception() is None:
            shared, ready = done.result(), self._ready.get(stream_id)
            if ready is None or ready.seq <= shared.seq:
                self._ready[stream_id] = shared
            if len(self._ready) > KEEP_ROOMS:  # rooms nobody joined lately: their copies are stale anyway
                now = time.monotonic()
                self._ready = {k: v for k, v in self._ready.items() if now - v.built < MAX_AGE_S}

    async def _build(self, stream_id: int) -> _Shared:
        self.builds += 1
        started = time.monotonic()
        async with self.sessions() as db:
            stream = await services.get_stream(db, stream_id)
            snapshot = await build_snapshot(db, stream)
        return _Shared(stream.seq, json.dumps(snapshot, separators=_COMPACT)[:-2], started)


def snapshots_of(state: State) -> Snapshots:
    """The app's snapshots, kept in its state (stream ids repeat across apps, as in tests)."""
    found = state.get(STATE_KEY)
    if not isinstance(found, Snapshots) or found.sessions is not state["sessions"]:
        found = state[STATE_KEY] = Snapshots(state["sessions"])
    return found
