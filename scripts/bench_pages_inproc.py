"""The in-process half of bench_pages: the same seeded database, the app on httpx's ASGI transport
(no server, no load process). It counts the SQL statements each page makes (every engine's
`before_cursor_execute`) and, with `--profile`, runs pyinstrument over a batch of note pages.

Runs as `python scripts/bench_pages_inproc.py VAR_DIR URL... [--profile N]` in its own process, so
its settings (the seeded SQLite file) never leak into the benchmark's.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


async def _count(client: httpx.AsyncClient, path: str) -> int:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    await client.get(path)  # warm: the first request of a process also loads templates and caches
    event.listen(Engine, "before_cursor_execute", record)
    try:
        response = await client.get(path)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return len(statements)


async def _profile(client: httpx.AsyncClient, path: str, requests: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    with profiler:
        for _ in range(requests):
            await client.get(path)
    # The functions that spend the most time themselves (flat, self time), then the call tree's top.
    flat = profiler.output_text(flat=True, time="percent_of_total").splitlines()
    print("\n".join(line for line in flat if line.strip())[:4000])
    tree = profiler.output_text().splitlines()
    print("\n".join(tree[:60]))


async def run(paths: list[str], profile: int) -> None:
    from shop.app import create_app

    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would bury the figures
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for path in paths:
                print(f"queries {path} {await _count(client, path)}", flush=True)
            if profile:
                await _profile(client, paths[-1], profile)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("var_dir", type=Path)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--profile", type=int, default=0, help="profile this many requests of the last path")
    args = parser.parse_args()
    os.environ |= {
        "VAR_DIR": str(args.var_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{args.var_dir}/bench.db",
    }
    os.environ.pop("REDIS_URL", None)
    # No background jobs: they would add their own statements, and the seeded live room's sampler
    # and flash-sale jobs could still be closing a connection when the loop ends.
    os.environ["RUN_JOBS"] = "false"
    asyncio.run(run(args.paths, args.profile))


if __name__ == "__main__":
    main()
