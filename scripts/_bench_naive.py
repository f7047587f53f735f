"""The naive baseline of bench_flash_sale: a row lock per reservation, in a separate uvicorn process
(`naive_server`) on the app's database, answering the same two routes the load calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import subprocess
from collections.abc import Iterator
from typing import Any

from _bench import (
    Server,
    asyncpg_dsn,
    free_port,
    run_sql,
    start_process,
    step,
    stop,
    uvicorn_command,
    wait_http,
)
from litestar import Litestar, Request, Response, get, post

NAIVE_SCHEMA = [
    "CREATE TABLE naive_sales (id INTEGER PRIMARY KEY, quantity INTEGER NOT NULL,"
    " remaining INTEGER NOT NULL, per_customer_limit INTEGER NOT NULL)",
    "CREATE TABLE naive_holds (id {serial} PRIMARY KEY, sale_id INTEGER NOT NULL,"
    " user_id BIGINT NOT NULL, quantity INTEGER NOT NULL)",
    "CREATE INDEX ix_naive_holds_sale_user ON naive_holds (sale_id, user_id)",
]
TOKEN_SQL = "SELECT user_id FROM api_tokens WHERE token_digest = $1"  # noqa: S105
SALE_SQL = "SELECT remaining, per_customer_limit FROM naive_sales WHERE id = $1"
USED_SQL = "SELECT coalesce(sum(quantity), 0) FROM naive_holds WHERE sale_id = $1 AND user_id = $2"
HOLD_SQL = "INSERT INTO naive_holds (sale_id, user_id, quantity) VALUES ($1, $2, $3)"
TAKE_SQL = "UPDATE naive_sales SET remaining = remaining - $1 WHERE id = $2"


def qmark(sql: str) -> str:
    return re.sub(r"\$\d", "?", sql)


def _decide(sale: Any, used: int, quantity: int) -> str:
    if sale is None:
        return "not_found"
    if used + quantity > sale[1]:
        return "limit_reached"
    return "sold_out" if sale[0] < quantity else "ok"


class PgNaive:
    """asyncpg, a pool as large as the app's (10 + 20): BEGIN; SELECT … FOR UPDATE; check; write; COMMIT."""

    async def open(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(os.environ["NAIVE_DB"], min_size=10, max_size=30)

    async def close(self) -> None:
        await self.pool.close()

    async def reserve(self, digest: str, sale_id: int, quantity: int) -> tuple[str, int]:
        async with self.pool.acquire() as conn:
            user_id = await conn.fetchval(TOKEN_SQL, digest)
            if user_id is None:
                return "unauthorized", 0
            async with conn.transaction():
                sale = await conn.fetchrow(SALE_SQL + " FOR UPDATE", sale_id)
                status = _decide(sale, await conn.fetchval(USED_SQL, sale_id, user_id), quantity)
                if status == "ok":
                    await conn.execute(HOLD_SQL, sale_id, user_id, quantity)
                    await conn.execute(TAKE_SQL, quantity, sale_id)
        return status, (sale[0] - quantity * (status == "ok")) if sale else 0


class SqliteNaive:
    """aiosqlite, five connections (the app's pool size): BEGIN IMMEDIATE; check; write; COMMIT."""

    async def open(self) -> None:
        import aiosqlite

        self.idle: asyncio.Queue[Any] = asyncio.Queue()
        for _ in range(5):
            conn = await aiosqlite.connect(os.environ["NAIVE_DB"], isolation_level=None, timeout=30)
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA busy_timeout=30000")
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()

    async def reserve(self, digest: str, sale_id: int, quantity: int) -> tuple[str, int]:
        conn = await self.idle.get()
        try:
            found = await conn.execute_fetchall(qmark(TOKEN_SQL), (digest,))
            if not found:
                return "unauthorized", 0
            await conn.execute("BEGIN IMMEDIATE")
            try:
                sale = (await conn.execute_fetchall(qmark(SALE_SQL), (sale_id,)) or [None])[0]
                used = await conn.execute_fetchall(qmark(USED_SQL), (sale_id, found[0][0]))
                status = _decide(sale, used[0][0], quantity)
                if status == "ok":
                    await conn.execute(qmark(HOLD_SQL), (sale_id, found[0][0], quantity))
                    await conn.execute(qmark(TAKE_SQL), (quantity, sale_id))
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        finally:
            self.idle.put_nowait(conn)
        return status, (sale[0] - quantity * (status == "ok")) if sale else 0


def naive_app() -> Litestar:
    """`uvicorn _bench_naive:naive_app --factory`: the same two routes the load calls."""
    store = PgNaive() if os.environ["NAIVE_DB"].startswith("postgres") else SqliteNaive()

    @get("/api/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @post("/api/v1/flash-sales/{sale_id:int}/reservations")
    async def reserve(request: Request[Any, Any, Any], sale_id: int, data: dict[str, int]) -> Response[Any]:
        token = request.headers.get("authorization", "").partition(" ")[2]
        status, remaining = await store.reserve(
            hashlib.sha256(token.encode()).hexdigest(), sale_id, int(data["quantity"])
        )
        if status == "ok":
            return Response({"flash_sale_id": sale_id, "remaining": remaining}, status_code=201)
        return Response({"code": status}, status_code=401 if status == "unauthorized" else 409)

    return Litestar([health, reserve], on_startup=[store.open], on_shutdown=[store.close])


@contextlib.contextmanager
def naive_server(
    server: Server, quantity: int, limit: int, sustain_quantity: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Sale 1 (`quantity` units, `limit` per buyer) and sale 2 (`sustain_quantity`, 100 per buyer) in
    naive tables of the app's database, behind `naive_app`; yields (base URL, process), stops it on exit."""
    pg = server.db_url.startswith("postgres")
    run_sql(server.db_url, *(s.format(serial="BIGSERIAL" if pg else "INTEGER") for s in NAIVE_SCHEMA))
    sales = "INSERT INTO naive_sales VALUES (1, :q, :q, :limit), (2, :s, :s, 100)"
    run_sql(server.db_url, sales, q=quantity, limit=limit, s=sustain_quantity)
    port = free_port()
    env = {**os.environ, "NAIVE_DB": asyncpg_dsn(server.db_url) if pg else server.db_url.split("///", 1)[1]}
    log = server.log.with_name("naive.log")
    command = uvicorn_command("_bench_naive:naive_app", port, "--factory", "--app-dir", "scripts")
    process = start_process(command, env, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/health", process, log)
        step(f"[{server.label}] naive FOR UPDATE server pid {process.pid} on 127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop(process)
