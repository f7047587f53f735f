"""What the reservation endpoint needs besides the session and the caller, in one place.

The hot path takes these from the app's state rather than as four dependencies: Litestar resolves
the dependencies of one level in a task group (a task each, per request), which on a flash sale's
rush cost more than the gate's own answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from live.flash_sales.gate import Gate
from live.flash_sales.ticker import StockTicker
from shop.core.ratelimit import AttemptCounter
from shop.settings import Settings


@dataclass(frozen=True, slots=True)
class ReservationParts:
    gate: Gate
    ticker: StockTicker
    attempts: AttemptCounter
    settings: Settings


def reservation_parts(request: Request[Any, Any, Any]) -> ReservationParts:
    parts: ReservationParts = request.app.state["reservation_parts"]
    return parts
