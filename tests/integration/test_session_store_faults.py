"""Sign-in while the Redis session store fails (issue 13).

The credentials are checked and the session row is written in the request's transaction; the
session record goes to Redis as the response starts. With Redis paused (`CLIENT PAUSE`) at that
moment, the sign-in must fail cleanly (503 `{code, message}`), its transaction must be rolled back
and its connection returned to the pool: never a connection left "idle in transaction" holding the
user's row locks. Runs on a PostgreSQL database of its own on both passes (fault_helpers.py), so
`pg_stat_activity` can say what the app's connections are doing.
"""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shop.accounts.models import UserSession
from tests.helpers import PASSWORD, Client, register
from tests.integration.fault_helpers import (  # noqa: F401 (fixtures: settings, admin, redis)
    admin_connection,
    app_backends,
    fault_settings,
    fresh_database,
    locked_out,
    unpausing_redis,
)

LOCK_USER = "SELECT id FROM users WHERE id = :id FOR UPDATE"


async def test_a_sign_in_whose_session_store_stalls_rolls_back_and_returns_its_connection(
    client: Client, other_client: Client, admin: AsyncConnection, redis: Redis
) -> None:
    me = await register(client, "stalled-store@example.com")
    assert (await client.post("/api/v1/auth/logout", json={})).status_code == 200
    login = {"email": "stalled-store@example.com", "password": PASSWORD}
    sessions_before = await admin.scalar(select(func.count(UserSession.id)))

    # Hold the user's row so the sign-in stops at its session row (past its Redis throttle), pause
    # Redis, then let it go: the next thing the sign-in does is store the session record in Redis.
    async def pause(_pids: list[int]) -> None:
        await redis.execute_command("CLIENT", "PAUSE", 3000, "ALL")

    signing_in = other_client.post("/api/v1/auth/login", json=login)
    try:
        stalled = await locked_out(admin, LOCK_USER, {"id": me["id"]}, signing_in, pause)
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
    assert stalled.status_code == 503, stalled.text
    assert set(stalled.json()) == {"code", "message"}
    assert await app_backends(admin, state="idle in transaction") == []
    assert await admin.scalar(select(func.count(UserSession.id))) == sessions_before  # rolled back

    again = await other_client.post("/api/v1/auth/login", json=login)
    assert again.status_code == 200, again.text
    assert (await other_client.get("/api/v1/me")).json()["id"] == me["id"]


async def test_a_signed_in_request_while_the_session_store_is_paused_is_a_clean_503(
    client: Client, redis: Redis
) -> None:
    me = await register(client, "paused-store@example.com")
    await redis.execute_command("CLIENT", "PAUSE", 3000, "ALL")
    try:
        stalled = await client.get("/api/v1/me")
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
    assert stalled.status_code == 503, stalled.text
    assert stalled.json()["code"] == "service_unavailable"
    assert int(stalled.headers["retry-after"]) > 0
    assert (await client.get("/api/v1/me")).json()["id"] == me["id"]  # the session outlived the pause
