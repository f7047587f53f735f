"""The hold cap in the gate: the units one account holds at once across every sale (a bot farm of
one account cannot sit on a sale's stock), kept beside the sales' stock so an admitted hold reads
and locks no SQL row for it.

Each account's record maps its live holds (reservation id) to quantity, expiry and sale. A hold
is counted from its admission (before its ledger commit, so two of an account's holds at once
count each other) until it is released, sold or past its expiry; expired entries are dropped as
they are met. The DB stays the truth: the records are rebuilt from the ledger's live holds when
the gate has none (a fresh process, Redis restarted empty), marked by a `loaded` flag. An entry
rebuilt for a hold settled meanwhile can only over-count, never under-count, until its expiry.

The same answer carries the shops' *standing generation* (shop/accounts/standing.py): facts.py
trusts its cached "the shop is open" only while it is unchanged, at no extra round trip.

- `RedisCaps`: Lua over keys sharing the hash tag `{caps}`; Redis errors fail closed (503).
- `MemoryCaps`: the embedded single process.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shop.accounts import standing
from shop.core.errors import ServiceUnavailable
from shop.core.grouped import Grouped

CAP_OK, CAP_OVER, CAP_MISSING = "ok", "hold_cap", "missing"


class Caps(Protocol):
    async def take(self, hold: CapHold, cap: int, now: float) -> CapAnswer: ...
    async def drop(self, user_id: int, reservation_id: str) -> None: ...
    async def load(self, holds: list[CapHold], now: float) -> None: ...


@dataclass(frozen=True, slots=True)
class CapHold:
    reservation_id: str
    user_id: int
    sale_id: int
    quantity: int
    expires_at: float  # Unix seconds on the app clock


@dataclass(frozen=True, slots=True)
class CapAnswer:
    status: str
    held: int  # the account's live held units across sales (with this hold when admitted)
    held_in_sale: int  # of them, in this hold's sale
    generation: int  # the shops' standing generation


class MemoryCaps:
    def __init__(self) -> None:
        self._by_user: dict[int, dict[str, CapHold]] = {}
        self._loaded = False
        self.generation = 0
        standing.install(self.bump_standing)

    async def take(self, hold: CapHold, cap: int, now: float) -> CapAnswer:
        """Count `hold` in, unless the account would hold more than `cap` units (idempotent)."""
        if not self._loaded:
            return CapAnswer(CAP_MISSING, 0, 0, self.generation)
        mine = self._by_user.setdefault(hold.user_id, {})
        for rid in [rid for rid, h in mine.items() if h.expires_at <= now]:
            del mine[rid]
        held = sum(h.quantity for rid, h in mine.items() if rid != hold.reservation_id)
        if hold.reservation_id not in mine and held + hold.quantity > cap:
            return CapAnswer(CAP_OVER, held, 0, self.generation)
        mine[hold.reservation_id] = hold
        in_sale = sum(h.quantity for h in mine.values() if h.sale_id == hold.sale_id)
        return CapAnswer(CAP_OK, held + hold.quantity, in_sale, self.generation)

    async def drop(self, user_id: int, reservation_id: str) -> None:
        self._by_user.get(user_id, {}).pop(reservation_id, None)

    async def load(self, holds: list[CapHold], now: float) -> None:
        if self._loaded:
            return
        for hold in holds:  # merged: holds admitted meanwhile stay
            self._by_user.setdefault(hold.user_id, {}).setdefault(hold.reservation_id, hold)
        self._loaded = True

    async def bump_standing(self) -> None:
        self.generation += 1


# KEYS: loaded flag, standing generation, then each hold's account record. ARGV: (reservation id,
# quantity, expiry, sale, now, cap) per hold, in the records' order: the holds asked at one moment
# are taken one after the other in one call (two of one account's see each other). Entries are
# `quantity:expiry:sale`.
_TAKE = """
local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
local loaded = redis.call('EXISTS', KEYS[1]) == 1
local function take(record, A)
  local now, qty, cap, sale = tonumber(A[5]), tonumber(A[2]), tonumber(A[6]), A[4]
  local entries = redis.call('HGETALL', record)
  local held, last, mine = 0, tonumber(A[3]), false
  for i = 1, #entries, 2 do
    local q, exp = string.match(entries[i + 1], '^(%d+):([^:]+):')
    q, exp = tonumber(q), tonumber(exp)
    if entries[i] == A[1] then mine = true
    elseif exp <= now then redis.call('HDEL', record, entries[i])
    else held = held + q; if exp > last then last = exp end end
  end
  if not mine and held + qty > cap then return {'hold_cap', held, 0, gen} end
  redis.call('HSET', record, A[1], qty .. ':' .. A[3] .. ':' .. sale)
  redis.call('EXPIRE', record, math.ceil(last - now) + 5)
  local in_sale = 0
  entries = redis.call('HGETALL', record)
  for i = 1, #entries, 2 do
    local q, exp, s = string.match(entries[i + 1], '^(%d+):([^:]+):(%d+)$')
    if s == sale and tonumber(exp) > now then in_sale = in_sale + tonumber(q) end
  end
  return {'ok', held + qty, in_sale, gen}
end
local out = {}
for i = 3, #KEYS do
  local j = (i - 3) * 6
  if not loaded then out[#out + 1] = {'missing', 0, 0, gen}
  else out[#out + 1] = take(KEYS[i], {unpack(ARGV, j + 1, j + 6)}) end
end
return out
"""

# ARGV: now, then (user, reservation id, entry, seconds to keep) for each hold.
_LOAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 4 do
  local key = KEYS[2] .. ARGV[i]
  redis.call('HSETNX', key, ARGV[i + 1], ARGV[i + 2])
  if redis.call('TTL', key) < tonumber(ARGV[i + 3]) then redis.call('EXPIRE', key, ARGV[i + 3]) end
end
redis.call('SET', KEYS[1], '1')
return 1
"""


class RedisCaps:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis, self._tag = redis, f"{prefix}:{{caps}}"
        self._take = redis.register_script(_TAKE)
        self._takes: Grouped[tuple[CapHold, int, float], CapAnswer] = Grouped(self._take_many)
        self._load = redis.register_script(_LOAD)
        standing.install(self.bump_standing)

    def _user(self, user_id: int) -> str:
        return f"{self._tag}:u:{user_id}"

    async def _run(self, script: Any, keys: list[str], args: list[object]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except (RedisError, OSError) as error:  # fail closed, as the gate does
            raise ServiceUnavailable(
                "Flash sales are paused for a moment. Try again.", retry_after=2
            ) from error

    async def take(self, hold: CapHold, cap: int, now: float) -> CapAnswer:
        """With the other holds asked at the same moment, in one script call (shop/core/grouped.py)."""
        return await self._takes.call((hold, cap, now))

    async def _take_many(self, asked: list[tuple[CapHold, int, float]]) -> list[CapAnswer]:
        keys = [f"{self._tag}:loaded", f"{self._tag}:standing"] + [self._user(h.user_id) for h, _, _ in asked]
        args: list[object] = []
        for hold, cap, now in asked:
            args += [hold.reservation_id, hold.quantity, hold.expires_at, hold.sale_id, now, cap]
        answers = []
        for status, held, in_sale, generation in await self._run(self._take, keys, args):
            word = status.decode() if isinstance(status, bytes) else str(status)
            answers.append(CapAnswer(word, int(held), int(in_sale), int(generation)))
        return answers

    async def drop(self, user_id: int, reservation_id: str) -> None:
        # Lost, the entry still expires with its hold: the cap over-counts for a while, never under.
        with contextlib.suppress(RedisError, OSError):
            await self._redis.hdel(self._user(user_id), reservation_id)  # type: ignore[misc]

    async def load(self, holds: list[CapHold], now: float) -> None:
        args: list[object] = [now]
        for hold in holds:
            entry = f"{hold.quantity}:{hold.expires_at}:{hold.sale_id}"
            args += [hold.user_id, hold.reservation_id, entry, int(hold.expires_at - now) + 5]
        await self._run(self._load, [f"{self._tag}:loaded", f"{self._tag}:u:"], args)

    async def bump_standing(self) -> None:
        with contextlib.suppress(RedisError, OSError, RuntimeError):  # RuntimeError: an old app's loop
            await self._redis.incr(f"{self._tag}:standing")
