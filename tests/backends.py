"""Which real database and Redis the suite talks to, and how to give each test a clean slate.

`ZC_TEST_DB=sqlite|postgres` picks the backend (scripts/test runs the suite once per backend).
PostgreSQL comes from `DATABASE_URL`; every run creates its own database on that server and drops
it at the end. With `CI=true` a missing backend fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shop.settings import Settings

IN_CI = os.environ.get("CI", "").lower() == "true"


def backend() -> str:
    return os.environ.get("ZC_TEST_DB", "sqlite")


def postgres_server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return Settings(database_url=url).database_url if url.startswith("postgres") else None


async def _admin(server_url: str, statement: str) -> None:
    admin = create_async_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


def create_database(var_dir: Path) -> str:
    """Return the URL of a fresh, empty database for this run."""
    if backend() == "sqlite":
        return f"sqlite+aiosqlite:///{var_dir / 'test.db'}"
    server = postgres_server_url()
    if server is None:
        raise RuntimeError("ZC_TEST_DB=postgres needs DATABASE_URL=postgresql://… (scripts/test sets it)")
    name = f"zc_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    return str(make_url(server).set(database=name).render_as_string(hide_password=False))


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = make_url(url).database
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def wipe(engine: object) -> None:
    """Empty every table between tests; the schema (from the migrations) stays."""
    from shop.core.db import orm_registry

    tables = [t.name for t in reversed(orm_registry.metadata.sorted_tables)]
    async with engine.begin() as conn:  # type: ignore[attr-defined]
        if conn.dialect.name == "postgresql":
            await _wipe_postgres(conn, tables)
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (names from our metadata)


# One round trip names the tables a test wrote to: a TRUNCATE of every table (about 80, each a new
# file) cost about a second per test on PostgreSQL, a DELETE of the few written tables milliseconds.
_RESET_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) FROM pg_sequences"
    " WHERE last_value IS NOT NULL AND schemaname = current_schema()"
)


async def _wipe_postgres(conn: Any, tables: list[str]) -> None:
    """Children first (`tables` is in reverse dependency order), then every used sequence back to 1,
    as TRUNCATE … RESTART IDENTITY did."""
    probe = " UNION ALL ".join(
        f"SELECT {i} FROM (SELECT 1 FROM {name} LIMIT 1) AS t{i}"  # noqa: S608 (names from our metadata)
        for i, name in enumerate(tables)
    )
    written = sorted(i for (i,) in (await conn.execute(text(probe))).all())
    for i in written:
        await conn.execute(text(f"DELETE FROM {tables[i]}"))  # noqa: S608
    await conn.execute(text(_RESET_SEQUENCES))
