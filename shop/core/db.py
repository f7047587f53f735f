"""Database engine, the advanced-alchemy configuration and migrations.

The request is the transaction: services flush but never commit; the plugin's
`autocommit_include_redirects` handler commits a 2xx/3xx response and rolls back anything else.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from advanced_alchemy.base import BigIntAuditBase, orm_registry
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
)
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import URL, BigInteger, Integer, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from shop.core import clock
from shop.settings import Settings

T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Minor units of money: 64-bit on PostgreSQL (a 32-bit column overflows at 21,474,836.47 USD);
# SQLite's INTEGER is 64-bit already.
MINOR_UNITS = BigInteger().with_variant(Integer(), "sqlite")

__all__ = [
    "Base",
    "after_commit",
    "after_commit_task",
    "build_engine",
    "keyset_page",
    "migrate",
    "orm_registry",
    "sqlalchemy_config",
]


class Base(BigIntAuditBase):
    """Every table: BigInt id, created_at and updated_at (UTC)."""

    __abstract__ = True

    # The library stamps these with its own datetime.now(); ours read the app's clock, so a row's
    # age agrees with the deadlines computed beside it. Same columns, so no migration.
    created_at: Mapped[datetime] = mapped_column(
        DateTimeUTC(timezone=True), default=clock.now, sort_order=3002
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTimeUTC(timezone=True), default=clock.now, onupdate=clock.now, sort_order=3003
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; busy_timeout queues writers instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


PING_AFTER_IDLE_S = 30.0  # a pooled connection idle longer is pinged before use


def _idle_from(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _checked_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A pooled connection is replaced before use when it is dead. One the server closed (a restart,
    `pg_terminate_backend`, `idle_session_timeout`) asyncpg already knows of, so no round trip is
    made for it; one idle for over PING_AFTER_IDLE_S may have been dropped silently on the way (a
    NAT or firewall idle timeout) and is pinged first. `pool_pre_ping` pinged every checkout:
    BEGIN, a ping and ROLLBACK on every request."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")
    idle_since = record.info.get("idle_since")
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_S:
        try:
            dbapi_connection.ping()
        except Exception as error:  # whatever the driver raises: the pool connects anew
            raise DisconnectionError("a pooled connection idle for long did not answer") from error


def _postgres_engine(url: str | URL, **options: Any) -> AsyncEngine:
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "checkin", _idle_from)
    event.listen(engine.sync_engine, "checkout", _checked_on_checkout)
    return engine


def build_engine(settings: Settings) -> AsyncEngine:
    url = settings.db_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # 20 kept open: a flash sale's first rush (a token lookup each) would otherwise open and close
    # overflow connections by the hundred.
    return _postgres_engine(url, pool_size=20, max_overflow=20)


class PerEngine(Generic[T]):
    """`make(engine)` once per engine: a writer or a reader of its own. What it makes may hold the
    engine, so a weak key alone would keep both forever: `release_engine` forgets them."""

    def __init__(self, make: Callable[[AsyncEngine], T]) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary[AsyncEngine, T] = weakref.WeakKeyDictionary()
        _per_engine.append(self)

    def __call__(self, engine: AsyncEngine) -> T:
        found = self._made.get(engine)
        if found is None:
            found = self._made[engine] = self._make(engine)
        return found

    def forget(self, engine: AsyncEngine) -> T | None:
        return self._made.pop(engine, None)


_per_engine: list[PerEngine[Any]] = []


def _reader(engine: AsyncEngine) -> AsyncEngine:
    if engine.dialect.name == "sqlite":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return _postgres_engine(engine.url, pool_size=10, max_overflow=10, isolation_level="AUTOCOMMIT")


# An autocommit engine beside `engine`, for one-statement reads on a hot path (an API token's row on
# a flash sale's rush of first requests). Its connections are in autocommit from the connect, so a
# read opens no transaction. SQLite gets the same engine in autocommit (one file, one pool).
build_reader = PerEngine(_reader)


async def release_engine(engine: AsyncEngine) -> None:
    """At the app's shutdown, after `engine.dispose()`: the reader's pool closed, and everything
    made for the engine (its writers and readers) forgotten."""
    reader = build_reader.forget(engine)
    for registry in _per_engine:
        registry.forget(engine)
    if reader is not None and reader.sync_engine is not engine.sync_engine:
        await reader.dispose()


def sqlalchemy_config(settings: Settings, engine: AsyncEngine | None = None) -> SQLAlchemyAsyncConfig:
    return SQLAlchemyAsyncConfig(
        engine_instance=engine or build_engine(settings),
        before_send_handler="autocommit_include_redirects",
        session_config=AsyncSessionConfig(expire_on_commit=False),
        alembic_config=AlembicAsyncConfig(
            script_location=str(MIGRATIONS_DIR),
            version_table_name="alembic_version",
        ),
        create_all=False,
    )


def migrate(settings: Settings) -> None:
    """Upgrade the schema to head. Call it outside a running event loop (Alembic runs its own)."""
    from advanced_alchemy.alembic.commands import AlembicCommands

    # The tables are registered by shop/migrations/env.py (it imports shop.models), so core stays
    # free of domain imports.
    AlembicCommands(sqlalchemy_config=sqlalchemy_config(settings)).upgrade("head")


async def insert_ignoring_conflict(db: Any, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either backend; True when a row was written.

    Idempotent toggles (likes, saves) rely on the unique index instead of read-then-write.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.bind.dialect.name == "postgresql" else sqlite
    result = await db.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


async def keyset_page(
    db: Any, stmt: Any, id_column: Any, *, cursor: str | None, limit: int, newest_first: bool = True
) -> tuple[Sequence[Any], str | None]:
    """One page of `stmt` ordered by id, continuing after the opaque cursor; never skips or repeats."""
    from shop.core.pagination import cursor_id, encode_cursor

    if (after := cursor_id(cursor)) is not None:
        stmt = stmt.where(id_column < after if newest_first else id_column > after)
    order = id_column.desc() if newest_first else id_column.asc()
    rows = (await db.scalars(stmt.order_by(order).limit(limit + 1))).unique().all()
    next_cursor = encode_cursor({"id": rows[limit - 1].id}) if len(rows) > limit else None
    return rows[:limit], next_cursor


# --- side effects after the commit -------------------------------------------------------------
# Redis, channels and Stripe must only hear about a change once it is durable: a callback queued
# here runs after the session's commit, and is dropped if the transaction rolls back.
_AFTER_COMMIT = "zc_after_commit"


def after_commit(db: Any, callback: Callable[[], None]) -> None:
    """Run `callback()` (synchronous, must not raise into the caller) after `db` commits."""
    db.sync_session.info.setdefault(_AFTER_COMMIT, []).append(callback)


_background: set[asyncio.Task[Any]] = set()


def after_commit_task(db: Any, work: Callable[[], Awaitable[Any]]) -> None:
    """Like `after_commit`, for async side effects (Redis): `work()` runs as a task after the commit.

    A failure is logged, never raised: the commit stands, and the DB stays the truth that the
    side effect's owner rebuilds from (the flash-sale gate from its ledger, say).
    """

    def start() -> None:
        task = asyncio.get_running_loop().create_task(_logged(work))
        _background.add(task)  # a reference, or the task may be collected mid-flight
        task.add_done_callback(_background.discard)

    after_commit(db, start)


async def _logged(work: Callable[[], Awaitable[Any]]) -> None:
    try:
        await work()
    except Exception:
        logging.getLogger("zhongcao.db").exception("after-commit task failed")


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # one failed side effect must not hide the others; the commit stands
            logging.getLogger("zhongcao.db").exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
