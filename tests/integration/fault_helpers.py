"""Fault tests' tools: a PostgreSQL database of their own on both passes, and a Redis to pause.

Killing a backend (`pg_terminate_backend`) and reading `pg_stat_activity` only exist on
PostgreSQL, and the suite's SQLite pass must run these tests too (no skips in CI). So the fault
tests make a database on the PostgreSQL server they find (DATABASE_URL's when it is one, else the
machine's on 127.0.0.1:5432), migrate it, build their app on it and drop it afterwards. An admin
connection of their own does the killing and the watching. Import the fixtures (`fault_database`,
`settings`, `admin`, `redis`) into a test module to use them there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from shop.core.db import migrate
from shop.settings import Settings
from tests import backends
from tests.helpers import PAUSABLE_REDIS_URL

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# A Redis of the run's own (conftest's `pausable_redis`), never the machine's: CLIENT PAUSE
# there would stall the other integration pass running beside this one.
REDIS_URL = PAUSABLE_REDIS_URL
T = TypeVar("T")


def server_url() -> str:
    """DATABASE_URL's server when it is PostgreSQL, else the machine's (as scripts/_services.sh)."""
    return backends.postgres_server_url() or Settings(database_url=LOCAL_SERVER).database_url


def _in_thread(function: Callable[..., T], *args: Any) -> T:
    """asyncio.run() and Alembic need a thread without a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _admin_statement(url: str, statement: str) -> None:
    async def run() -> None:
        engine = admin_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def admin_engine(url: str) -> AsyncEngine:
    """Autocommit connections to the server's `postgres` database: outside the app's pool."""
    return create_async_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def on_database(settings: Settings, url: str) -> Settings:
    """`settings` on another database (model_copy keeps the cached `db_url`, so it is dropped)."""
    moved = settings.model_copy(update={"database_url": url})
    moved.__dict__.pop("db_url", None)
    return moved


@pytest.fixture(scope="module", name="fault_database")
def fresh_database(base_settings: Settings) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database (a module fixture's); dropped at its end."""
    server = server_url()
    name = f"zc_fault_{uuid.uuid4().hex[:10]}"
    try:
        _in_thread(_admin_statement, server, f'CREATE DATABASE "{name}"')
    except OSError as error:
        pytest.fail(
            f"The PostgreSQL fault tests need a server at {make_url(server).render_as_string()}"
            f" (set DATABASE_URL, or start PostgreSQL on 127.0.0.1:5432): {error}"
        )
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        _in_thread(migrate, on_database(base_settings, url))
        yield url
    finally:
        _in_thread(_admin_statement, server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(name="settings")
def fault_settings(base_settings: Settings, fault_database: str, pausable_redis: str) -> Settings:
    """The app on the fault database, with the pausable Redis under a fresh prefix."""
    moved = on_database(base_settings, fault_database)
    return moved.model_copy(
        update={"redis_url": REDIS_URL, "redis_prefix": f"zc-fault-{uuid.uuid4().hex[:8]}"}
    )


@pytest.fixture(name="admin")
async def admin_connection(fault_database: str, app: Litestar) -> AsyncIterator[AsyncConnection]:
    """One autocommit connection to the fault database, outside the app's pool."""
    engine = create_async_engine(fault_database, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            yield conn
            # A transaction the app leaked would hold its locks and hang the app fixture's wipe:
            # end it, so such a bug fails its test instead of hanging the suite.
            await terminate(conn, await app_backends(conn, state="idle in transaction"))
    finally:
        await engine.dispose()


@pytest.fixture(name="settings")
def redis_fault_settings(base_settings: Settings, pausable_redis: str) -> Settings:
    """The suite's database, with the pausable Redis under a fresh prefix."""
    return base_settings.model_copy(
        update={"redis_url": pausable_redis, "redis_prefix": f"zc-fault-{uuid.uuid4().hex[:8]}"}
    )


@pytest.fixture(name="redis")
async def unpausing_redis(pausable_redis: str) -> AsyncIterator[Redis]:
    """A client of the pausable Redis, for `CLIENT PAUSE`; whatever happens, unpaused at the end."""
    client = Redis.from_url(pausable_redis)
    yield client
    await client.execute_command("CLIENT", "UNPAUSE")
    await client.aclose()


async def app_backends(
    admin: AsyncConnection, state: str | None = None, wait: str | None = None
) -> list[int]:
    """Process ids of the app's connections to the fault database (not the admin's own), in
    `state` ('idle in transaction') or waiting on `wait` ('Lock') when given."""
    rows = await admin.execute(
        text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND (CAST(:state AS text) IS NULL OR state = :state)"
            " AND (CAST(:wait AS text) IS NULL OR wait_event_type = :wait)"
        ),
        {"state": state, "wait": wait},
    )
    return [int(pid) for pid in rows.scalars()]


async def locked_out(
    admin: AsyncConnection,
    lock: str,
    params: dict[str, Any],
    work: Awaitable[T],
    meanwhile: Callable[[list[int]], Awaitable[Any]] | None = None,
) -> T:
    """Run `work` while another transaction holds `lock` (a SELECT … FOR UPDATE). Once the app's
    backend waits on it, call `meanwhile(pids)` (default: kill those backends), then let the lock
    go. Returns what `work` returned."""
    engine = create_async_engine(admin.engine.url)  # the fault database, in a transaction
    try:
        async with engine.connect() as holder:
            await holder.execute(text(lock), params)
            task = asyncio.ensure_future(work)
            waiting = await until(lambda: app_backends(admin, wait="Lock"))
            await (meanwhile(waiting) if meanwhile else terminate(admin, waiting))
            await holder.rollback()
        return await task
    finally:
        await engine.dispose()


async def until(check: Callable[[], Awaitable[T]], *, attempts: int = 500) -> T:
    """Poll `check` until it returns something truthy (every 20 ms); fail if it never does."""
    for _ in range(attempts):
        if found := await check():
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {check}")


async def terminate(admin: AsyncConnection, pids: list[int]) -> None:
    for pid in pids:
        assert await admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
