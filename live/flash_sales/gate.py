"""The atomic reservation step. One call checks the window, the remaining stock and the
per-customer limit (sold plus held) and records the hold, or refuses; nothing is read-then-written.

- `RedisGate`: one Lua script over keys sharing the hash tag `{sale:ID}` (one Redis Cluster slot).
  A missing key means "rebuild from the DB ledger", never "0 sold". Redis errors fail closed.
- `MemoryGate`: the same contract behind an asyncio lock, for the single-process embedded mode.

Both are idempotent per reservation id: a retried call never takes stock twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from live.flash_sales.caps import Caps, MemoryCaps, RedisCaps
from live.flash_sales.gate_lua import ADMIT, LOAD, RELEASE, RESERVE
from shop.core.errors import ServiceUnavailable
from shop.core.grouped import Grouped

OK, SOLD_OUT, LIMIT, NOT_STARTED, ENDED, MISSING, TOO_MANY = (
    "ok",
    "sold_out",
    "limit_reached",
    "not_started",
    "ended",
    "missing",
    "too_many",  # more than the per-customer limit in one go (a 422, not a refusal)
)


@dataclass(frozen=True, slots=True)
class SaleTerms:
    sale_id: int
    quantity: int
    limit: int
    starts_at: float
    ends_at: float


@dataclass(slots=True)
class Books:
    """What the gate needs to be rebuilt: remaining units and units per customer (sold + live holds)."""

    remaining: int
    per_user: dict[int, int] = field(default_factory=dict)
    holds: dict[str, tuple[int, int]] = field(default_factory=dict)  # reservation id → (user, quantity)
    # The sale's terms kept with its books, so `admit` reads no DB row (they never change after launch).
    terms: SaleTerms | None = None


@runtime_checkable
class Gate(Protocol):
    @property
    def caps(self) -> Caps: ...  # the per-account hold cap across sales (caps.py); release/settle drop it

    async def reserve(
        self, terms: SaleTerms, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int]: ...
    async def admit(
        self, sale_id: int, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int, int]: ...
    async def release(self, sale_id: int, reservation_id: str) -> bool: ...
    async def settle(self, sale_id: int, reservation_id: str) -> None: ...
    async def load(self, sale_id: int, books: Books) -> None: ...
    async def forget(self, sale_id: int) -> None: ...
    async def remaining(self, sale_id: int) -> int | None: ...
    async def holds(self, sale_id: int) -> list[GateHold]: ...


@dataclass(frozen=True, slots=True)
class GateHold:
    """A hold as the gate knows it; `taken_at` (Unix seconds) lets the sweeper tell a reservation
    still on its way to the ledger from one whose commit never happened (0: loaded from the ledger)."""

    reservation_id: str
    user_id: int
    quantity: int
    taken_at: float


def _window(terms: SaleTerms, now: float) -> str | None:
    if now < terms.starts_at:
        return NOT_STARTED
    if now >= terms.ends_at:
        return ENDED
    return None


class MemoryGate:
    def __init__(self) -> None:
        self._books: dict[int, Books] = {}
        self._taken_at: dict[str, float] = {}
        self._lock = asyncio.Lock()
        self.caps = MemoryCaps()

    async def reserve(
        self, terms: SaleTerms, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int]:
        async with self._lock:
            books = self._books.get(terms.sale_id)
            if books is None:
                return MISSING, 0
            if reservation_id in books.holds:
                return OK, books.remaining
            if (closed := _window(terms, now)) is not None:
                return closed, books.remaining
            if books.per_user.get(user_id, 0) + quantity > terms.limit:
                return LIMIT, books.remaining
            if books.remaining < quantity:
                return SOLD_OUT, books.remaining
            books.remaining -= quantity
            books.per_user[user_id] = books.per_user.get(user_id, 0) + quantity
            books.holds[reservation_id] = (user_id, quantity)
            self._taken_at[reservation_id] = now
            return OK, books.remaining

    async def admit(
        self, sale_id: int, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int, int]:
        """`reserve` under the terms loaded with the books (MISSING without them); TOO_MANY comes
        with the limit in place of the remaining count. Third: the customer's units in the sale."""
        books = self._books.get(sale_id)
        if books is None or books.terms is None:
            return MISSING, 0, 0
        if quantity > books.terms.limit:
            return TOO_MANY, books.terms.limit, 0
        status, remaining = await self.reserve(books.terms, user_id, quantity, reservation_id, now)
        return status, remaining, books.per_user.get(user_id, 0)

    async def release(self, sale_id: int, reservation_id: str) -> bool:
        async with self._lock:
            books = self._books.get(sale_id)
            if books is None or reservation_id not in books.holds:
                return False
            user_id, quantity = books.holds.pop(reservation_id)
            books.remaining += quantity
            books.per_user[user_id] -= quantity
        await self.caps.drop(user_id, reservation_id)
        return True

    async def settle(self, sale_id: int, reservation_id: str) -> None:
        async with self._lock:
            books = self._books.get(sale_id)
            hold = books.holds.pop(reservation_id, None) if books else None  # stays counted, out of stock
        if hold is not None:
            await self.caps.drop(hold[0], reservation_id)

    async def load(self, sale_id: int, books: Books) -> None:
        async with self._lock:
            kept = self._books.setdefault(sale_id, books)  # a concurrent rebuild that won keeps its books
            kept.terms = kept.terms or books.terms

    async def forget(self, sale_id: int) -> None:
        async with self._lock:
            self._books.pop(sale_id, None)

    async def remaining(self, sale_id: int) -> int | None:
        books = self._books.get(sale_id)
        return books.remaining if books else None

    async def holds(self, sale_id: int) -> list[GateHold]:
        books = self._books.get(sale_id)
        held = dict(books.holds) if books else {}
        return [GateHold(r, u, q, self._taken_at.get(r, 0.0)) for r, (u, q) in held.items()]


class RedisGate:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis, self._prefix = redis, prefix
        self._reserve = redis.register_script(RESERVE)
        self._release = redis.register_script(RELEASE)
        self._load = redis.register_script(LOAD)
        self._admit = redis.register_script(ADMIT)
        self._admissions: dict[int, Grouped[tuple[str, int, int, float], tuple[str, int, int]]] = {}
        self.caps = RedisCaps(redis, prefix)

    def _keys(self, sale_id: int) -> list[str]:
        tag = f"{self._prefix}:{{sale:{sale_id}}}"
        return [f"{tag}:remaining", f"{tag}:users", f"{tag}:holds", f"{tag}:terms"]

    async def _run(self, script: object, keys: list[str], args: list[object]) -> object:
        try:
            return await script(keys=keys, args=args)  # type: ignore[operator]
        except (RedisError, OSError) as error:
            # Fail closed: without Redis nobody can reserve, so nobody can oversell.
            raise ServiceUnavailable(
                "Flash sales are paused for a moment. Try again.", retry_after=2
            ) from error

    async def reserve(
        self, terms: SaleTerms, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int]:
        args = [reservation_id, user_id, quantity, terms.limit, now, terms.starts_at, terms.ends_at]
        result: Any = await self._run(self._reserve, self._keys(terms.sale_id), args)
        status, remaining, *_ = result
        return (status.decode() if isinstance(status, bytes) else str(status)), int(remaining)

    async def admit(
        self, sale_id: int, user_id: int, quantity: int, reservation_id: str, now: float
    ) -> tuple[str, int, int]:
        """With the other admissions to this sale asked at the same moment, in one script call."""
        admissions = self._admissions.get(sale_id)
        if admissions is None:
            if len(self._admissions) >= 1000:  # sales long over
                self._admissions.clear()
            admissions = self._admissions[sale_id] = Grouped(functools.partial(self._admit_many, sale_id))
        return await admissions.call((reservation_id, user_id, quantity, now))

    async def _admit_many(
        self, sale_id: int, admissions: list[tuple[str, int, int, float]]
    ) -> list[tuple[str, int, int]]:
        args: list[object] = [value for admission in admissions for value in admission]
        results: Any = await self._run(self._admit, self._keys(sale_id), args)
        answers = []
        for status, value, *used in results:
            word = status.decode() if isinstance(status, bytes) else str(status)
            answers.append((word, int(value), int(used[0] if used else 0)))
        return answers

    async def release(self, sale_id: int, reservation_id: str) -> bool:
        return await self._drop(sale_id, reservation_id, "release")

    async def settle(self, sale_id: int, reservation_id: str) -> None:
        await self._drop(sale_id, reservation_id, "settle")

    async def _drop(self, sale_id: int, reservation_id: str, how: str) -> bool:
        """The hold leaves the sale's books (its unit back to stock on a release), then the cap."""
        user: Any = await self._run(self._release, self._keys(sale_id), [reservation_id, how])
        if user:
            await self.caps.drop(int(user), reservation_id)
        return bool(user)

    async def load(self, sale_id: int, books: Books) -> None:
        terms = books.terms
        args: list[object] = [
            f"{terms.limit},{terms.starts_at},{terms.ends_at}" if terms else "",
            books.remaining,
        ]
        for user_id, count in books.per_user.items():
            args += [f"u:{user_id}", count]
        for reservation_id, (user_id, quantity) in books.holds.items():
            args += [f"h:{reservation_id}", f"{user_id}:{quantity}"]
        await self._run(self._load, self._keys(sale_id), args)

    async def forget(self, sale_id: int) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._redis.delete(*self._keys(sale_id))

    async def remaining(self, sale_id: int) -> int | None:
        try:
            value = await self._redis.get(self._keys(sale_id)[0])
        except (RedisError, OSError):
            return None
        return int(value) if value is not None else None

    async def holds(self, sale_id: int) -> list[GateHold]:
        """Each hold is `user:quantity[:taken_at]` (holds rebuilt from the ledger have no time)."""
        try:
            raw: dict[Any, Any] = await self._redis.hgetall(self._keys(sale_id)[2])  # type: ignore[misc]
        except (RedisError, OSError):
            return []
        found = []
        for key, value in raw.items():
            user, quantity, *taken = (value.decode() if isinstance(value, bytes) else str(value)).split(":")
            reservation = key.decode() if isinstance(key, bytes) else str(key)
            found.append(GateHold(reservation, int(user), int(quantity), float(taken[0]) if taken else 0.0))
        return found
