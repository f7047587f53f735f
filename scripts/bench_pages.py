"""Page benchmark: one seeded server process, one load process, ratios against /api/v1/health.

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), port)
        try:
            base = f"http://127.0.0.1:{port}"
            note_id = httpx.get(f"{base}/api/v1/notes?limit=1").json()["items"][0]["id"]
            targets = [
                ("hello JSON (baseline)", f"{base}/api/v1/health"),
                ("feed JSON /api/v1/notes", f"{base}/api/v1/notes?limit=20"),
                (f"note page /notes/{note_id}", f"{base}/notes/{note_id}"),
                ("hello JSON (baseline, again)", f"{base}/api/v1/health"),
            ]
            results: dict[str, float] = {}
            for label, url in targets:
                print(f"==> {label}: {args.seconds:.0f}s at concurrency {args.concurrency}")
                results[label] = measure(url, args.seconds, args.concurrency)
                print(f"    {results[label]:8.1f} req/s")
        finally:
            server.terminate()
            server.wait(timeout=10)
    first, again = results[targets[0][0]], results[targets[3][0]]
    baseline = (first + again) / 2
    print(f"\nbaseline hello JSON: {baseline:.1f} req/s (runs {first:.1f} and {again:.1f})")
    for label, _ in targets[1:3]:
        print(f"{label:34s} {results[label]:8.1f} req/s   ratio {results[label] / baseline:.2f}x of hello")


if __name__ == "__main__":
    main()
