"""Conflated stock counts: viewers get the latest `remaining` at most every ~200 ms per sale.

However fast people buy, each sale publishes at most five `stock` messages a second, so the fan-out
cost does not grow with the buy rate; the last value is always flushed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

INTERVAL_S = 0.2


class StockTicker:
    def __init__(self, publish: Callable[[dict[str, Any], str], None]) -> None:
        self._publish = publish
        self._latest: dict[int, tuple[int, str]] = {}
        self._scheduled: set[int] = set()
        self._last_sent: dict[int, float] = {}

    def update(self, sale_id: int, remaining: int, channel: str) -> None:
        self._latest[sale_id] = (remaining, channel)
        if sale_id in self._scheduled:
            return
        self._scheduled.add(sale_id)
        wait = max(0.0, self._last_sent.get(sale_id, 0.0) + INTERVAL_S - time.monotonic())
        asyncio.get_running_loop().call_later(wait, self._flush, sale_id)

    def _flush(self, sale_id: int) -> None:
        self._scheduled.discard(sale_id)
        remaining, channel = self._latest.pop(sale_id)
        self._last_sent[sale_id] = time.monotonic()
        self._publish(
            {"type": "stock", "ts": round(time.time(), 3), "flash_sale_id": sale_id, "remaining": remaining},
            channel,
        )
