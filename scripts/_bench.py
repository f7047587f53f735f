"""Shared by bench_flash_sale and bench_live: a throwaway migrated database and the real app under
uvicorn (as `python -m shop serve` runs it, minus the access log). The live-room setup and the
buyers are in _bench_setup, the HTTP load client in _bench_http.

The scripts run as `python scripts/bench_*.py`, so scripts/ is on sys.path and the `_bench*`
modules import as top-level modules. The checkout itself is put on sys.path below, so `shop`
imports even without the editable install; spawned helper processes inherit both entries.
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
    # Every simulated buyer comes from 127.0.0.1: the per-address anti-scalping limit would
    # measure itself, not the sale (per-account limits and the hold cap stay as they are).
    env["RESERVATIONS_PER_IP_PER_MINUTE"] = "100000000"
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
            command = uvicorn_command("shop.app:create_app", port, "--factory")
            if profile := os.environ.get("BENCH_PROFILE"):  # pyinstrument around it (_bench_profile.py)
                command = [sys.executable, "scripts/_bench_profile.py", profile, str(port)]
            process = start_process(command, env, log)
            wait_http(f"http://127.0.0.1:{port}/api/v1/health", process, log)
            step(f"[{label}] app server pid {process.pid} on 127.0.0.1:{port}")
            yield Server(label, f"http://127.0.0.1:{port}", db_url, process, log)
        finally:
            stop(process)
            drop_database(db_url)
            if redis_url:
                _clear_redis(redis_url, env["REDIS_PREFIX"])
