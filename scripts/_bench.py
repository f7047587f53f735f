"""Shared by bench_flash_sale and bench_live: a throwaway migrated database, the real app under
uvicorn (as `python -m shop serve` runs it, minus the access log), the live-room setup through the
public API, and buyers with Bearer tokens inserted directly (hashing 1,000 passwords is not the test).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def exit_cleanly_on_sigterm() -> None:
    """`kill`/`timeout` send SIGTERM: unwind through the `finally` blocks that stop the servers."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc), to show what saturated during a phase."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


# --- databases ------------------------------------------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)


def _pg_admin(server_url: str, statement: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(asyncpg_dsn(server_url).rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def create_database(pg_url: str | None, var_dir: Path) -> str:
    """A fresh PostgreSQL database `bench_<random>` on `pg_url`'s server, or a SQLite file."""
    if pg_url is None:
        return f"sqlite+aiosqlite:///{var_dir / 'bench.db'}"
    name = f"bench_{uuid.uuid4().hex[:10]}"
    _pg_admin(pg_url, f'CREATE DATABASE "{name}"')
    return "postgresql+asyncpg://" + asyncpg_dsn(pg_url).split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _clear_redis(redis_url: str, prefix: str) -> None:
    from redis import Redis

    with contextlib.suppress(Exception), Redis.from_url(redis_url) as client:
        for key in client.scan_iter(f"{prefix}:*", count=1000):
            client.delete(key)


# --- the app server ------------------------------------------------------------------------------


@dataclass
class Server:
    label: str
    base: str
    db_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def app_env(db_url: str, redis_url: str | None, var_dir: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "VAR_DIR": str(var_dir), "SECRET_KEY": secrets.token_hex(32)}
    env.pop("REDIS_URL", None)
    if redis_url:
        env |= {"REDIS_URL": redis_url, "REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
    return env


def start_process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")


def ensure_alive(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        raise SystemExit(f"the server (pid {process.pid}) exited with {process.returncode}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


SERVE_OPTIONS = ["--workers", "1", "--ws-per-message-deflate", "false", "--no-proxy-headers"]
QUIET = ["--no-access-log", "--log-level", "warning"]


def uvicorn_command(app: str, port: int, *extra: str) -> list[str]:
    """The options `python -m shop serve` passes to uvicorn. Its `--quiet` leaves the access log on
    (it is parsed but not used), so uvicorn is started directly, with the access log off."""
    where = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "uvicorn", app, *where, *SERVE_OPTIONS, *QUIET, *extra]


@contextlib.contextmanager
def app_server(label: str, pg_url: str | None, redis_url: str | None) -> Iterator[Server]:
    """Fresh database, `python -m shop migrate`, uvicorn on a free port; all torn down on exit."""
    with tempfile.TemporaryDirectory(prefix="zc-bench-") as tmp:
        var_dir = Path(tmp)
        db_url = create_database(pg_url, var_dir)
        env = app_env(db_url, redis_url, var_dir)
        process = None
        try:
            step(f"[{label}] migrating a fresh database ({db_url.split('://')[0]})")
            subprocess.run([sys.executable, "-m", "shop", "migrate"], cwd=ROOT, env=env, check=True)
            if pg_url:  # pub/sub channels are named by stream id: stay clear of other users of this Redis
                start = secrets.randbelow(10**9) + 10**6
                run_sql(db_url, "SELECT setval(pg_get_serial_sequence('streams', 'id'), :n)", n=start)
            port = free_port()
            log = var_dir / "server.log"
            process = start_process(uvicorn_command("shop.app:create_app", port, "--factory"), env, log)
            wait_http(f"http://127.0.0.1:{port}/api/v1/health", process, log)
            step(f"[{label}] app server pid {process.pid} on 127.0.0.1:{port}")
            yield Server(label, f"http://127.0.0.1:{port}", db_url, process, log)
        finally:
            stop(process)
            drop_database(db_url)
            if redis_url:
                _clear_redis(redis_url, env["REDIS_PREFIX"])


# --- setup through the API -----------------------------------------------------------------------


def host_client(base: str) -> httpx.Client:
    """A merchant who hosts: registers (cookie + CSRF, like the pages), then uses a Bearer token."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        browser.get("/api/v1/health")
        csrf = {"X-CSRFToken": browser.cookies.get("csrftoken") or ""}
        body = {"email": f"host-{uuid.uuid4().hex[:8]}@bench.example", "password": "bench-password-1"}
        body |= {"display_name": "Bench host", "role": "merchant", "shop_name": "Bench shop"}
        _ok(browser.post("/api/v1/auth/register", json=body, headers=csrf), 201)
        token = _ok(browser.post("/api/v1/auth/tokens", json={"name": "bench"}, headers=csrf), 201)["token"]
    return httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})


def _ok(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json()


def live_room(host: httpx.Client, stock: int) -> dict[str, int]:
    variant = {"sku": f"BENCH-{uuid.uuid4().hex[:6]}", "name": "30 ml", "stock_on_hand": stock}
    variant["price"] = {"amount": 3000, "currency": "USD"}
    product = _ok(host.post("/api/v1/products", json={"name": "Glow Serum", "variants": [variant]}), 201)
    stream_id = _ok(host.post("/api/v1/streams", json={"title": "Bench deals"}), 201)["id"]
    _ok(host.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]}), 200)
    _ok(host.post(f"/api/v1/streams/{stream_id}/start"), 200)
    return {"stream_id": stream_id, "product_id": product["id"], "variant_id": product["variants"][0]["id"]}


def launch_sale(host: httpx.Client, room: dict[str, int], quantity: int, limit: int) -> dict[str, Any]:
    body = {"variant_id": room["variant_id"], "quantity": quantity, "per_customer_limit": limit}
    body |= {"price": {"amount": 1999, "currency": "USD"}, "duration_s": 3600, "countdown_s": 0}
    return dict(_ok(host.post(f"/api/v1/streams/{room['stream_id']}/flash-sales", json=body), 201))


def insert_buyers(db_url: str, count: int) -> list[str]:
    """`count` shoppers with API tokens, written with the project's models (as tests/live_helpers)."""
    return asyncio.run(_insert_buyers(db_url, count))


async def _insert_buyers(db_url: str, count: int) -> list[str]:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    import shop.models  # noqa: F401  (every table on the metadata, for the foreign keys)
    from shop.accounts.models import ApiToken, User
    from shop.core import security
    from shop.core.db import build_engine
    from shop.settings import Settings

    now, tag, password_hash = datetime.now(UTC), uuid.uuid4().hex[:8], security.hash_password("unused-1")
    users = [
        {"email": f"b{i}-{tag}@bench.example", "password_hash": password_hash, "display_name": f"Buyer {i}"}
        | {"role": "shopper", "bio": "", "avatar_hue": i % 360, "follower_count": 0, "following_count": 0}
        | {"created_at": now, "updated_at": now}
        for i in range(count)
    ]
    tokens = [f"zc_bench_{tag}_{i}" for i in range(count)]
    engine = build_engine(Settings(database_url=db_url))
    try:
        async with engine.begin() as conn:
            returning = insert(User).returning(User.id, sort_by_parameter_order=True)
            ids = (await conn.execute(returning, users)).scalars().all()
            rows = [
                {"user_id": uid, "name": "bench", "token_digest": security.token_digest(token)}
                | {"created_at": now, "updated_at": now}
                for uid, token in zip(ids, tokens, strict=True)
            ]
            await conn.execute(insert(ApiToken), rows)
    finally:
        await engine.dispose()
    return tokens


def run_sql(db_url: str, *statements: str, **params: Any) -> list[list[Any]]:
    """Run statements in one transaction on either backend; the rows of each (empty for writes)."""

    async def run() -> list[list[Any]]:
        from sqlalchemy import text

        from shop.core.db import build_engine
        from shop.settings import Settings

        engine = build_engine(Settings(database_url=db_url))
        try:
            async with engine.begin() as conn:
                results = [await conn.execute(text(statement), params) for statement in statements]
                return [list(r.all()) if r.returns_rows else [] for r in results]
        finally:
            await engine.dispose()

    return asyncio.run(run())


# --- a light load client ----------------------------------------------------------------------------


class NotSent(ConnectionError):
    """The connection could not be opened: the request never left, so sending it again is safe."""


class RawHttp:
    """One keep-alive HTTP/1.1 connection on asyncio streams. A load generator must not be the
    bottleneck: httpx costs ~4x the CPU per request (and one httpx pool of 200 connections is
    slower still), which on 2 cores takes the CPU the server under test needs."""

    def __init__(self, base: str) -> None:
        host, port = base.split("://", 1)[1].rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", token: str | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            except OSError as error:
                raise NotSent(str(error)) from error
        assert self.reader is not None
        auth = f"authorization: Bearer {token}\r\n" if token else ""
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\n{auth}content-type: application/json\r\n"
        self.writer.write(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)
        try:
            lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
            content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await self.close()
            raise
        if headers.get("connection") == "close":
            await self.close()
        return int(lines[0].split(" ", 2)[1]), content

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
