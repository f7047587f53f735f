"""Conflated stock counts: viewers get the latest `remaining` at most every ~200 ms per sale.

However fast people buy, each process publishes at most five `stock` messages a second per sale,
so the fan-out cost does not grow with the buy rate. The value is read from the shared gate when
the message is sent, not when the purchase happened: with several processes flushing, the last
message anyone sends carries the current count, never a stale one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from shop.core import clock

INTERVAL_S = 0.2


class StockTicker:
    def __init__(
        self,
        publish: Callable[[dict[str, Any], str], None],
        read_remaining: Callable[[int], Awaitable[int | None]],
    ) -> None:
        self._publish, self._read = publish, read_remaining
        self._latest: dict[int, tuple[int, str]] = {}
        self._scheduled: set[int] = set()
        self._last_sent: dict[int, float] = {}

    def update(self, sale_id: int, remaining: int, channel: str) -> None:
        self._latest[sale_id] = (remaining, channel)
        if sale_id in self._scheduled:
            return
        self._scheduled.add(sale_id)
        wait = max(0.0, self._last_sent.get(sale_id, 0.0) + INTERVAL_S - time.monotonic())
        asyncio.get_running_loop().call_later(wait, lambda: asyncio.ensure_future(self._flush(sale_id)))

    async def _flush(self, sale_id: int) -> None:
        self._scheduled.discard(sale_id)
        known, channel = self._latest.pop(sale_id)
        current = await self._read(sale_id)
        self._last_sent[sale_id] = time.monotonic()
        self._publish(
            {
                "type": "stock",
                "ts": clock.timestamp(),
                "flash_sale_id": sale_id,
                "remaining": known if current is None else current,
            },
            channel,
        )
