"""Flash-sale race: N buyers with Bearer tokens race for Q units through the real API, first on
PostgreSQL + Redis (scaled mode), then on SQLite in embedded mode. Prints holds, refusals, errors,
oversell (holds beyond Q, from the responses, the ledger endpoint and the DB), throughput, and ratios
measured in the same run against `GET /api/v1/health` and a naive `SELECT … FOR UPDATE` server.

The load runs in a separate process on asyncio with a bounded number of keep-alive connections
(`--concurrency`); every connection waits on one event, then all are released at once and share the
queue of buyers. A transport error is counted, never fatal. The default client is `_bench.RawHttp`;
`--client httpx` uses one httpx.AsyncClient per connection instead (it costs the load process ~4x
the CPU per request, which on 2 cores is taken from the server under test).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import ssl
import subprocess
import sys
import time
from collections import Counter
from queue import Empty
from typing import Any

import httpx
from _bench import (
    DEFAULT_PG,
    DEFAULT_REDIS,
    NotSent,
    RawHttp,
    Server,
    app_server,
    asyncpg_dsn,
    cpu_seconds,
    ensure_alive,
    exit_cleanly_on_sigterm,
    free_port,
    host_client,
    insert_buyers,
    launch_sale,
    live_room,
    run_sql,
    start_process,
    step,
    stop,
    uvicorn_command,
    wait_http,
)
from litestar import Litestar, Request, Response, get, post

RESERVE = "/api/v1/flash-sales/{}/reservations"
Popen = subprocess.Popen[bytes]


# --- the load process -----------------------------------------------------------------------------


class HttpxConnection:
    """`--client httpx`: the same interface over an httpx.AsyncClient limited to one connection."""

    def __init__(self, base: str, ssl_context: ssl.SSLContext) -> None:
        limits = httpx.Limits(max_connections=1)
        self.client = httpx.AsyncClient(base_url=base, limits=limits, timeout=60, verify=ssl_context)

    async def request(self, method: str, path: str, body: bytes = b"", token: str | None = None) -> Any:
        headers = {"content-type": "application/json"} | (
            {"authorization": f"Bearer {token}"} if token else {}
        )
        try:
            response = await self.client.request(method, path, content=body or None, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise NotSent(str(error)) from error
        return response.status_code, response.content

    async def close(self) -> None:
        await self.client.aclose()


class Tally:
    def __init__(self) -> None:
        self.ok, self.refused, self.errors = 0, Counter[str](), Counter[str]()

    async def send(self, conn: Any, path: str, token: str | None) -> None:
        method, body = ("POST", b'{"quantity":1}') if token else ("GET", b"")
        for attempt in (1, 2):
            try:
                status, content = await conn.request(method, path, body, token)
                break
            except NotSent as error:  # the request never left: sending it again is safe
                if attempt == 2:
                    self.errors[f"connect: {error}"[:60]] += 1
                    return
            except (OSError, EOFError, asyncio.LimitOverrunError, httpx.HTTPError) as error:
                self.errors[type(error).__name__] += 1  # it may have reached the server: never resent
                return
        if status in (200, 201):
            self.ok += 1
        elif status == 409:
            self.refused[str(json.loads(content).get("code"))] += 1
        else:
            self.errors[f"HTTP {status}"] += 1

    def summary(self, wall: float, cpu: float) -> dict[str, Any]:
        answered = self.ok + sum(self.refused.values())
        return {"ok": self.ok, "refused": dict(self.refused), "errors": dict(self.errors), "wall": wall} | {
            "answered": answered,
            "load_cpu": cpu,
        }


async def _load(kind: str, spec: dict[str, Any], queue: Any) -> dict[str, Any]:
    """`concurrency` connections; a race hands out one job per buyer per try, a sustained run loops."""
    tally, shared_ssl = Tally(), ssl.create_default_context()
    conns = [
        RawHttp(spec["base"]) if spec["client"] == "raw" else HttpxConnection(spec["base"], shared_ssl)
        for _ in range(spec["concurrency"])
    ]
    await asyncio.gather(*(c.request("GET", "/api/v1/health") for c in conns), return_exceptions=True)
    jobs = iter([t for t in spec["tokens"] for _ in range(spec["tries"])] if kind == "race" else [])
    tokens, go, deadline = itertools.cycle(spec["tokens"]), asyncio.Event(), 0.0

    async def connection(conn: Any) -> None:
        await go.wait()
        if kind == "race":
            for token in jobs:  # all connections share the one iterator of buyers
                await tally.send(conn, spec["path"], token)
        while kind != "race" and time.perf_counter() < deadline:
            await tally.send(conn, spec["path"], next(tokens))

    running = asyncio.gather(*(connection(c) for c in conns))
    await asyncio.sleep(0.3)  # every connection is parked on the event
    queue.put("go")
    cpu0, t0 = time.process_time(), time.perf_counter()
    deadline = t0 + spec.get("seconds", 0.0)
    go.set()
    await running
    result = tally.summary(time.perf_counter() - t0, time.process_time() - cpu0)
    await asyncio.gather(*(c.close() for c in conns))
    return result


def _load_main(kind: str, spec: dict[str, Any], queue: Any) -> None:
    queue.put(asyncio.run(_load(kind, spec, queue)))


def _get(queue: Any, process: Any) -> Any:
    while True:
        try:
            return queue.get(timeout=1)
        except Empty:  # only wait while the load process lives
            if not process.is_alive():
                raise SystemExit("the load process died") from None


def run_load(kind: str, spec: dict[str, Any], server: Popen) -> dict[str, Any]:
    """One load process per phase; the server's CPU time is read at the release and at the end."""
    ensure_alive(server)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_load_main, args=(kind, spec, queue), daemon=True)
    process.start()
    _get(queue, process)
    cpu0 = cpu_seconds(server.pid)
    result: dict[str, Any] = _get(queue, process)
    result["server_cpu"] = cpu_seconds(server.pid) - cpu0
    process.join()
    ensure_alive(server)
    return result


# --- the naive baseline: a row lock per reservation (a separate uvicorn process) ----------------

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
    """`uvicorn bench_flash_sale:naive_app --factory`: the same two routes the load calls."""
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


# --- orchestration --------------------------------------------------------------------------------


def describe(result: dict[str, Any]) -> str:
    refused = " ".join(f"{code} {n}" for code, n in sorted(result["refused"].items())) or "-"
    errors = " ".join(f"{kind} {n}" for kind, n in sorted(result["errors"].items())) or "0"
    wall = result["wall"]
    return (
        f"2xx {result['ok']} | 409 {sum(result['refused'].values())} ({refused}) | errors {errors} | "
        f"{result['answered']} answered in {wall:.2f} s = {result['answered'] / wall:.0f}/s, "
        f"2xx {result['ok'] / wall:.0f}/s | CPU server {result['server_cpu'] / wall:.0%}, "
        f"load {result['load_cpu'] / wall:.0%}"
    )


def phases(
    label: str, name: str, base: str, server: Popen, sales: tuple[int, int], tokens: list[str], args: Any
) -> dict[str, Any]:
    common = {"base": base, "tokens": tokens, "concurrency": args.concurrency, "client": args.client}
    step(
        f"[{label}] {name}: race of {args.buyers} buyers x {args.tries} requests for {args.quantity} units "
        f"(limit {args.limit}), released at once over {args.concurrency} connections"
    )
    race = run_load("race", common | {"path": RESERVE.format(sales[0]), "tries": args.tries}, server)
    print(f"    {describe(race)}", flush=True)
    step(
        f"[{label}] {name}: sustained reservations for {args.seconds:.0f} s (sale of {args.sustain_quantity})"
    )
    sustain = run_load(
        "sustain", common | {"path": RESERVE.format(sales[1]), "seconds": args.seconds}, server
    )
    print(f"    {describe(sustain)}", flush=True)
    return {"race": race, "sustain": sustain}


def health(label: str, base: str, server: Popen, seconds: float, args: Any) -> dict[str, Any]:
    step(f"[{label}] baseline GET /api/v1/health for {seconds:.0f} s over {args.concurrency} connections")
    spec = {"base": base, "tokens": [None], "concurrency": args.concurrency, "client": args.client}
    result = run_load("sustain", spec | {"path": "/api/v1/health", "seconds": seconds}, server)
    print(f"    {describe(result)}", flush=True)
    return result


def holds_check(db_url: str, table: str, sale_id: int, limit: int) -> dict[str, int]:
    live = " AND state IN ('held', 'sold')" if table == "flash_sale_holds" else ""
    where = f"FROM {table} WHERE sale_id = :sale{live}"
    totals_sql = f"SELECT count(*), coalesce(sum(quantity), 0) {where}"
    over_sql = (
        f"SELECT count(*) FROM (SELECT user_id {where} GROUP BY user_id HAVING sum(quantity) > :limit) o"  # noqa: S608
    )
    totals, over = run_sql(db_url, totals_sql, over_sql, sale=sale_id, limit=limit)
    return {"rows": int(totals[0][0]), "units": int(totals[0][1]), "over_limit": int(over[0][0])}


def verdict(
    name: str, quantity: int, race: dict[str, Any], books: dict[str, int], ledger: dict[str, Any]
) -> bool:
    oversell = max(race["ok"], books["units"], ledger.get("sold", 0) + ledger.get("held", 0)) - quantity
    fine = oversell <= 0 and books["over_limit"] == 0 and ledger.get("invariant_ok", True)
    print(
        f"    {name}: holds answered 201: {race['ok']}, hold rows in the DB: {books['rows']} "
        f"({books['units']} units) of {quantity}; oversell {max(oversell, 0)}; "
        f"buyers over the limit {books['over_limit']}; ledger {ledger or '-'} -> {'OK' if fine else 'FAIL'}"
    )
    return fine


def bench_zhongcao(server: Server, args: Any) -> tuple[dict[str, Any], list[str]]:
    label = server.label
    step(f"[{label}] setup through the API: merchant host, product, live stream, shelf, start, 2 flash sales")
    with host_client(server.base) as host:
        room = live_room(host, stock=args.quantity + args.sustain_quantity)
        race_sale = launch_sale(host, room, args.quantity, args.limit)
        sustain_sale = launch_sale(host, room, args.sustain_quantity, 100)
    step(f"[{label}] inserting {args.buyers} buyers with API tokens")
    tokens = insert_buyers(server.db_url, args.buyers)
    out = {"health": [health(label, server.base, server.process, args.seconds / 2, args)]}
    out |= phases(
        label, "zhongcao", server.base, server.process, (race_sale["id"], sustain_sale["id"]), tokens, args
    )
    out["health"].append(health(label, server.base, server.process, args.seconds / 2, args))
    out["ledger"] = httpx.get(f"{server.base}/api/v1/flash-sales/{race_sale['id']}/ledger").json()
    out["books"] = holds_check(server.db_url, "flash_sale_holds", race_sale["id"], args.limit)
    return out, tokens


def bench_naive(server: Server, tokens: list[str], args: Any) -> dict[str, Any]:
    label, pg = server.label, server.db_url.startswith("postgres")
    run_sql(server.db_url, *(s.format(serial="BIGSERIAL" if pg else "INTEGER") for s in NAIVE_SCHEMA))
    sales = "INSERT INTO naive_sales VALUES (1, :q, :q, :limit), (2, :s, :s, 100)"
    run_sql(server.db_url, sales, q=args.quantity, limit=args.limit, s=args.sustain_quantity)
    port = free_port()
    env = {**os.environ, "NAIVE_DB": asyncpg_dsn(server.db_url) if pg else server.db_url.split("///", 1)[1]}
    log = server.log.with_name("naive.log")
    command = uvicorn_command("bench_flash_sale:naive_app", port, "--factory", "--app-dir", "scripts")
    process = start_process(command, env, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/health", process, log)
        step(f"[{label}] naive FOR UPDATE server pid {process.pid} on 127.0.0.1:{port}")
        out = phases(label, "naive", f"http://127.0.0.1:{port}", process, (1, 2), tokens, args)
    finally:
        stop(process)
    remaining = run_sql(server.db_url, "SELECT remaining FROM naive_sales WHERE id = 1")[0][0][0]
    out["books"] = holds_check(server.db_url, "naive_holds", 1, args.limit)
    out["ledger"] = {"invariant_ok": remaining + out["books"]["units"] == args.quantity and remaining >= 0}
    return out


def bench_backend(label: str, pg_url: str | None, redis_url: str | None, args: Any) -> tuple[list[str], bool]:
    with app_server(label, pg_url, redis_url) as server:
        zc, tokens = bench_zhongcao(server, args)
        stop(server.process)  # the naive server gets the machine to itself
        naive = bench_naive(server, tokens, args) if args.naive else None
    step(f"[{label}] checks")
    fine = verdict("zhongcao", args.quantity, zc["race"], zc["books"], zc["ledger"])
    if naive:
        verdict("naive   ", args.quantity, naive["race"], naive["books"], naive["ledger"])
    return report(label, args, zc, naive), fine


def report(label: str, args: Any, zc: dict[str, Any], naive: dict[str, Any] | None) -> list[str]:
    def rate(result: dict[str, Any], key: str = "answered") -> float:
        return float(result[key]) / result["wall"]

    runs = [rate(h, "ok") for h in zc["health"]]
    base = sum(runs) / len(runs)
    rows = [
        ("race: answered (201 + 409)/s", "race", "answered"),
        ("sustained: holds (201)/s", "sustain", "ok"),
    ]
    lines = [
        f"== {label}: {args.buyers} buyers, {args.quantity} units, limit {args.limit}, "
        f"concurrency {args.concurrency} ==",
        f"   {'':32s}{'zhongcao':>10s}{'naive':>10s}{'zc/naive':>10s}{'zc/health':>11s}",
    ]
    for title, phase, key in rows:
        ours = rate(zc[phase], key)
        theirs = (
            f"{rate(naive[phase], key):10.0f}{ours / rate(naive[phase], key):9.2f}x"
            if naive
            else f"{'-':>19s} "
        )
        lines.append(f"   {title:32s}{ours:10.0f}{theirs}{ours / base:10.2f}x")
    lines.append(f"   health JSON req/s: {base:.0f} (runs {runs[0]:.0f} and {runs[1]:.0f})")
    if naive is None:
        lines.append("   naive baseline skipped (--no-naive)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--quantity", type=int, default=100, help="units in the raced sale")
    parser.add_argument("--limit", type=int, default=1, choices=(1, 2), help="per-customer limit")
    parser.add_argument("--tries", type=int, default=2, help="simultaneous requests per buyer in the race")
    parser.add_argument("--concurrency", type=int, default=200, help="connections of the load client")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="sustained phase (and 2 x half for health)"
    )
    parser.add_argument("--sustain-quantity", type=int, default=100_000)
    parser.add_argument("--backends", default="pg,sqlite", help="comma list: pg (PostgreSQL + Redis), sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="load client (see _bench.RawHttp)"
    )
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="skip the FOR UPDATE baseline")
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    reports, failed = [], False
    for backend in args.backends.split(","):
        if backend == "pg" and not args.pg_url:
            print("!! no PostgreSQL (set BENCH_PG_URL or --pg-url): skipping the scaled-mode pass")
            continue
        redis_url = (args.redis_url or None) if backend == "pg" else None
        label = f"postgres+{'redis' if redis_url else 'no-redis'}" if backend == "pg" else "sqlite-embedded"
        lines, fine = bench_backend(label, args.pg_url if backend == "pg" else None, redis_url, args)
        reports.append(lines)
        failed |= not fine
    print()
    for lines in reports:
        print("\n".join(lines))
    print(
        "\nRESULT:",
        "FAIL (oversell, limit or ledger invariant broken)"
        if failed
        else "OK: no oversell, ledger invariant holds",
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
