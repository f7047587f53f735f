"""Alembic environment: runs migrations on the app's own async engine, one transaction per run."""

import asyncio
from typing import Any

from advanced_alchemy.base import metadata_registry
from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import AsyncEngine, async_engine_from_config

import shop.models  # noqa: F401  (registers every table)

config: Any = context.config


# Columns added by a plain ALTER on SQLite carry an inline REFERENCES, which has no name (a batch
# rebuild of these tables would drop the search triggers and cascade deletes into their children).
# Their constraints are left out of the comparison there; PostgreSQL names and compares them.
SQLITE_INLINE_FKS = {
    ("notes", "deal_id"),
    ("streams", "deal_id"),
    ("flash_sales", "deal_id"),
    ("order_lines", "creator_id"),
    ("order_lines", "deal_id"),
    ("order_lines", "collaboration_id"),
    ("stream_events", "author_id"),
}


def _inline_fk(obj: Any, type_: str) -> bool:
    if type_ != "foreign_key_constraint" or context.get_context().dialect.name != "sqlite":
        return False
    return (obj.table.name, ",".join(obj.column_keys)) in SQLITE_INLINE_FKS


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
    """Search indexes live outside the ORM (FTS5 tables and their shadows, pg_trgm indexes)."""
    if reflected and type_ == "table" and name and "_fts" in name:
        return False
    if _inline_fk(obj, type_):
        return False
    return not (reflected and type_ == "index" and name and name.endswith("_search_trgm"))


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata_registry.get(config.bind_key),
        compare_type=True,
        version_table=config.version_table_name,
        render_as_batch=config.render_as_batch,
        user_module_prefix=config.user_module_prefix,
        include_object=_ours,
        **kwargs,
    )


def _run(connection: Any) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine: AsyncEngine = config.engine or async_engine_from_config(
        {"sqlalchemy.url": config.db_url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run)


if context.is_offline_mode():
    _configure(url=config.db_url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
