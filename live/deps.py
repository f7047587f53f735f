"""What the room's websocket needs besides the socket, in one place.

The handshake takes these from the app's state rather than as four dependencies: Litestar resolves
the dependencies of one level in a task group (a task each, per connection), and a herd of 2,000
viewers joining at once paid for 8,000 tasks before the first snapshot (as the reservation endpoint
did, live/flash_sales/deps.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.channels import ChannelsPlugin
from litestar.datastructures import State

from live.counters import RoomCounters
from shop.core.ratelimit import AttemptCounter
from shop.settings import Settings

STATE_KEY = "room_parts"


@dataclass(frozen=True, slots=True)
class RoomParts:
    channels: ChannelsPlugin
    counters: RoomCounters
    attempts: AttemptCounter
    settings: Settings


def room_parts(state: State) -> RoomParts:
    parts: RoomParts = state[STATE_KEY]
    return parts
