"""The `principal` dependency: who is asking on a hot path, as a user id, usually without SQL.

The DB lookup (the API token's row, or the session's row joined to its user) is remembered in
`AuthCache` for up to 30 s under the user's auth generation (see shop/accounts/authcache.py):
a revoke anywhere is seen at once. The refusals are those of `user` (401, same messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shop.accounts import services, sessions, tokenreads, tokenstamps
from shop.accounts.authcache import AuthCache
from shop.accounts.models import ApiToken
from shop.accounts.tokenreads import TokenRow
from shop.core import clock
from shop.core.errors import AuthenticationRequired
from shop.core.security import bearer_token, token_digest


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int


async def _resolve(
    cache: AuthCache, db: AsyncSession, request: Request[Any, Any, Any] | None, token: str | None
) -> int | None:
    """The DB lookup, remembered for TTL_S under the user's generation."""
    try:
        if token is not None:
            return await _from_token(cache, db, token)
        return await _from_session(cache, db, request) if request is not None else None
    finally:
        # Give the connection back before the Redis work that follows: on a rush of first
        # requests, connections held across it make the pool the limit.
        if db.in_transaction():
            await (_commit_stamp(db) if db.dirty else db.rollback())


async def _commit_stamp(db: AsyncSession) -> None:
    """Commit the token's last-use stamp without waiting for the WAL flush (PostgreSQL): a stamp
    lost in a crash is harmless, and a rush of first requests would otherwise queue on fsync."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SET LOCAL synchronous_commit TO OFF"))
    await db.commit()


async def _from_token(cache: AuthCache, db: AsyncSession, token: str) -> int | None:
    row = await _token_row(db, token)
    if row is None or (row.expires_at is not None and row.expires_at <= clock.now()):
        return None
    user_id, expires_at = row.user_id, row.expires_at
    _stamp(db, row)
    # Read after the row (its user is not known before): a revoke racing this lookup bumps
    # twice (before and after its commit), and the TTL bounds the one interleaving left.
    generation = await cache.generation(user_id)
    if generation is not None:
        expires = expires_at.timestamp() if expires_at else None
        kept = TokenRow(row.id, user_id, row.token_digest, expires_at, row.last_used_at)
        cache.store("t:" + token_digest(token), user_id, generation, expires, kept)
    return user_id


async def _token_row(db: AsyncSession, token: str) -> ApiToken | TokenRow | None:
    """The token's row. From an engine, read in a group with the other misses of the moment
    (shop/accounts/tokenreads.py): a flash sale's rush of first requests is a few SELECTs. A
    session bound to a connection reads through it."""
    if not isinstance(db.bind, AsyncEngine):
        return await services.find_live_token(db, token)
    return await tokenreads.reads_for(db.bind).call(token_digest(token))


async def _cached(cache: AuthCache, key: str, engine: Any) -> int | None:
    """The cached user id, if any; a cached API token's last use is stamped when due, as a lookup
    would (the settings page stays right to the minute for a token in constant use)."""
    entry = await cache.cached(key)
    if entry is None:
        return None
    now = clock.now()
    if entry.token is not None and isinstance(engine, AsyncEngine) and tokenstamps.due(entry.token, now):
        tokenstamps.stamp_later(engine, entry.token, now)
    return entry.user_id


def _stamp(db: AsyncSession, row: ApiToken | TokenRow) -> None:
    """The last-use stamp, when due, is written by tokenstamps' writer, not in this lookup: a cold
    miss is then one SELECT and no commit. A session bound to a connection (not an engine) stamps
    in its own transaction, as `user` does."""
    now = clock.now()
    if not tokenstamps.due(row, now):
        return
    if isinstance(db.bind, AsyncEngine):
        tokenstamps.stamp_later(db.bind, row, now)
    elif isinstance(row, ApiToken):
        row.last_used_at = now


async def _from_session(cache: AuthCache, db: AsyncSession, request: Request[Any, Any, Any]) -> int | None:
    ids = sessions.session_ids(request.session)
    if ids is None:
        return None
    generation = await cache.generation(ids[0])  # before the row: a revoke after it is seen
    user = await sessions.session_user(db, request.session)
    if user is None:
        request.clear_session()  # a dead record is dropped from the store, as `current_user` does
        return None
    if generation is not None:
        cache.store(f"s:{ids[0]}:{ids[1]}", ids[0], generation, None)
    return ids[0]


async def provide_principal(request: Request[Any, Any, Any], db_session: AsyncSession) -> Principal:
    """The signed-in user's id, as `user` would give it (same refusals), usually without SQL.
    The cache comes from the app's state, not as a dependency: Litestar resolves two dependencies
    of one level in a task group, a task each, on every request of the hot path."""
    auth_cache: AuthCache = request.app.state["auth_cache"]
    token = bearer_token(request)
    if token is not None:
        key = "t:" + token_digest(token)
    else:
        ids = sessions.session_ids(request.session)
        key = f"s:{ids[0]}:{ids[1]}" if ids else ""
    user_id = await _cached(auth_cache, key, db_session.bind) if key else None
    if user_id is None and key:
        user_id = await auth_cache.once(key, lambda: _resolve(auth_cache, db_session, request, token))
    if user_id is None:
        raise AuthenticationRequired("That API token is not valid." if token else None)
    return Principal(user_id)


async def token_principal(
    cache: AuthCache, sessions: async_sessionmaker[AsyncSession], token: str
) -> int | None:
    """The user id behind an API token as `provide_principal` finds it (None where it refuses), for
    a caller outside Litestar's chain (the reservation lane): cached, else one grouped read."""
    key = "t:" + token_digest(token)
    user_id = await _cached(cache, key, sessions.kw.get("bind"))
    if user_id is None:

        async def lookup() -> int | None:
            async with sessions() as db:
                return await _resolve(cache, db, None, token)

        user_id = await cache.once(key, lookup)
    return user_id
