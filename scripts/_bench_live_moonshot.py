"""bench_live --moonshot: V viewers (default 10,000) split over two app processes that share PostgreSQL
and Redis, while buyers reserve on the first. Each process's viewers are held by a load process of
their own. Prints the p99 purchase -> viewer `stock` latency over every (viewer, purchase) pair
(target <= 1 s), joining time, memory per viewer and CPU of each process.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _bench import (
    Server,
    app_env,
    app_server,
    cpu_seconds,
    free_port,
    rss_kib,
    start_process,
    step,
    stop,
    uvicorn_command,
    wait_http,
)
from _bench_drivers import buy_steadily
from _bench_setup import buyers_for, host_client, insert_buyers, launch_sale, live_room
from _bench_ws import Helper

P99_TARGET_MS = 1000


@contextlib.contextmanager
def second_server(first: Server, redis_url: str | None) -> Iterator[Server]:
    """Another app process on the first one's database and Redis. Its jobs are off: the sweeper
    of the first process is enough, and this one's Redis prefix is its own."""
    var_dir = Path(tempfile.mkdtemp(prefix="zc-bench-b-"))
    env = app_env(first.db_url, redis_url, var_dir) | {"RUN_JOBS": "false"}
    port, log = free_port(), var_dir / "server.log"
    process = start_process(uvicorn_command("shop.app:create_app", port, "--factory"), env, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/health", process, log)
        step(f"[{first.label}] second app server pid {process.pid} on 127.0.0.1:{port}")
        yield Server(first.label + " (B)", f"http://127.0.0.1:{port}", first.db_url, process, log)
    finally:
        stop(process)
        shutil.rmtree(var_dir, ignore_errors=True)


def _connect(audience: Helper, server: Server, path: str, count: int, parallel: int) -> dict[str, Any]:
    url = server.base.replace("http://", "ws://") + path
    before = rss_kib(server.pid)
    info = audience("connect", url, count, parallel)
    time.sleep(2)
    info["rss_per_conn_kib"] = (rss_kib(server.pid) - before) / max(info["connected"], 1)
    print(
        f"    {server.label}: {info['connected']} of {count} connected in {info['seconds']:.1f} s, failed"
        f" {info['failed'] or 0}, {info['rss_per_conn_kib']:.1f} KiB per connection",
        flush=True,
    )
    return dict(info)


def run(args: Any, label: str, pg: str | None, redis_url: str | None, latencies: Callable[..., Any]) -> bool:
    if not (pg and redis_url):
        raise SystemExit("--moonshot needs PostgreSQL and Redis: two processes share them")
    audiences = [Helper("audience"), Helper("audience")]
    try:
        with app_server(label, pg, redis_url) as a, second_server(a, redis_url) as b:
            with host_client(a.base) as host:
                room = live_room(host, stock=args.sale_quantity)
                sale = launch_sale(host, room, args.sale_quantity, 100)
            tokens = insert_buyers(a.db_url, buyers_for(int(args.rate * args.seconds)))
            path = f"/live/streams/{room['stream_id']}/ws"
            step(f"connecting {args.viewers} viewers: half to each process")
            half = args.viewers // 2
            joins = [
                _connect(audience, server, path, n, args.parallel)
                for audience, server, n in zip(audiences, (a, b), (half, args.viewers - half), strict=True)
            ]
            step(f"{args.rate:g} reservations/s on the first process for {args.seconds:g} s")
            for audience in audiences:
                audience("mark")
            cpu0, t0 = [cpu_seconds(s.pid) for s in (a, b)], time.monotonic()
            purchases, problems = asyncio.run(
                buy_steadily(a.base, sale["id"], tokens, args.rate, args.seconds)
            )
            stats = [audience("quiet", ["stock"], 1.5, 120) for audience in audiences]
            wall = time.monotonic() - t0
            cpu = [(cpu_seconds(s.pid) - c) / wall for s, c in zip((a, b), cpu0, strict=True)]
            for audience in audiences:
                audience("close")
    finally:
        for audience in audiences:
            audience.exit()
    lat = latencies(purchases, stats[0]["stock"] + stats[1]["stock"])
    lat["closed"] = [s["closed"] for s in stats]
    cpu += [s["cpu"] / wall for s in stats]  # the viewers' load processes
    return report(label, args, joins, (len(purchases), problems), lat, cpu)


def report(
    label: str, args: Any, joins: list[dict[str, Any]], bought: tuple[int, Any], lat: Any, cpu: list[float]
) -> bool:
    p50, p99 = lat["total"]
    connected = sum(j["connected"] for j in joins)
    print(
        "\n".join(
            [
                f"\n== moonshot on {label}: {connected} of {args.viewers} viewers on two app processes ==",
                f"   joining: {joins[0]['seconds']:.1f} s and {joins[1]['seconds']:.1f} s (one process after"
                f" the other); memory per viewer {joins[0]['rss_per_conn_kib']:.1f} / "
                f"{joins[1]['rss_per_conn_kib']:.1f} KiB",
                f"   {bought[0]} purchases (problems: {bought[1] or 0}); {lat['pairs']} (viewer, purchase)"
                f" pairs, {lat['missed']} never seen; viewers closed by the server (too slow):"
                f" {lat['closed'][0]} on A, {lat['closed'][1]} on B",
                f"   purchase -> viewer `stock`: p50 {p50:.0f} ms, p99 {p99:.0f} ms   (target p99 <="
                f" {P99_TARGET_MS} ms: {'met' if p99 <= P99_TARGET_MS else 'NOT met'})",
                f"      published -> received p50 {lat['delivery'][0]:.0f} / p99 {lat['delivery'][1]:.0f} ms;"
                f" CPU during the phase: process A {cpu[0]:.0%}, process B {cpu[1]:.0%},"
                f" their viewers' load processes {cpu[2]:.0%} and {cpu[3]:.0%}",
            ]
        )
    )
    return lat["missed"] == 0 and connected == args.viewers
