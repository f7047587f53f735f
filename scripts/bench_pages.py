"""Page benchmark: one seeded server process, one load process, ratios against /api/v1/health,
and the SQL statements each page makes (counted in-process afterwards, bench_pages_inproc).

Absolute numbers on a shared 2-core machine are noise; ratios measured in the same run are not.
The baseline is measured before and after the others and averaged, so drift shows up in the spread.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Headers = dict[str, str] | None


async def _hammer(url: str, seconds: float, concurrency: int, headers: Headers = None) -> tuple[int, int]:
    done = errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                try:
                    response = await client.get(url)
                except httpx.HTTPError:  # a timeout counts against the page; the run goes on
                    errors += 1
                    continue
                if response.status_code == 200:
                    done += 1
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, errors


def _load_process(
    url: str,
    seconds: float,
    concurrency: int,
    out: multiprocessing.Queue,
    headers: Headers = None,  # type: ignore[type-arg]
) -> None:
    out.put(asyncio.run(_hammer(url, seconds, concurrency, headers)))


def measure(url: str, seconds: float, concurrency: int, headers: Headers = None) -> float:
    """Requests per second from a separate load process (so the client does not share the server's loop)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    warm = multiprocessing.Process(target=_load_process, args=(url, 1.0, concurrency, queue, headers))
    warm.start()
    warm.join()
    queue.get()
    proc = multiprocessing.Process(target=_load_process, args=(url, seconds, concurrency, queue, headers))
    started = time.perf_counter()
    proc.start()
    proc.join()
    elapsed = time.perf_counter() - started
    done, errors = queue.get()
    if errors:
        print(f"   !! {errors} non-200 responses from {url}")
    return done / min(elapsed, seconds + 0.5)


def start_server(var_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite+aiosqlite:///{var_dir}/bench.db"}
    env.pop("REDIS_URL", None)
    for command in ("migrate", "seed"):
        print(f"==> {command}")
        subprocess.run([sys.executable, "-m", "shop", command], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "shop", "serve", "--port", str(port), "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start")


def count_queries(var_dir: Path, paths: list[str], profile: int) -> dict[str, int]:
    """SQL statements per page, counted in-process on the same seeded database (bench_pages_inproc);
    with `profile`, its pyinstrument summary of the note page is printed as it comes."""
    command = [sys.executable, str(ROOT / "scripts" / "bench_pages_inproc.py"), str(var_dir), *paths]
    done = subprocess.run(
        [*command, "--profile", str(profile)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    counts: dict[str, int] = {}
    for line in done.stdout.splitlines():
        if line.startswith("queries "):
            _, path, count = line.split(" ")
            counts[path] = int(count)
        elif profile:
            print(line)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", type=int, default=0, help="also profile N note pages (pyinstrument)")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), port)
        try:
            base = f"http://127.0.0.1:{port}"
            note_id = httpx.get(f"{base}/api/v1/notes?limit=1").json()["items"][0]["id"]
            targets = [
                ("hello JSON (baseline)", "/api/v1/health"),
                ("feed JSON /api/v1/notes", "/api/v1/notes?limit=20"),
                (f"note page /notes/{note_id}", f"/notes/{note_id}"),
                ("hello JSON (baseline, again)", "/api/v1/health"),
            ]
            results: dict[str, float] = {}
            for label, path in targets:
                print(f"==> {label}: {args.seconds:.0f}s at concurrency {args.concurrency}")
                results[label] = measure(base + path, args.seconds, args.concurrency)
                print(f"    {results[label]:8.1f} req/s")
        finally:
            server.terminate()
            server.wait(timeout=10)
        print("==> SQL statements per page (in-process, anonymous, same database)")
        queries = count_queries(Path(tmp), [path for _, path in targets[:3]], args.profile)
    first, again = results[targets[0][0]], results[targets[3][0]]
    baseline = (first + again) / 2
    print(f"\nbaseline hello JSON: {baseline:.1f} req/s (runs {first:.1f} and {again:.1f})")
    # Issue 14 sets no target for pages: each ratio is printed without one, with its query count.
    for label, path in targets[1:3]:
        ratio = results[label] / baseline
        print(
            f"{label:34s} {results[label]:8.1f} req/s   ratio {ratio:.2f}x of hello   {queries[path]} queries"
        )


if __name__ == "__main__":
    main()
