"""The load client of bench_flash_sale: a separate process on asyncio with a bounded number of
keep-alive connections. Every connection waits on one event, then all are released at once and
share the queue of buyers. A transport error is counted, never fatal.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import ssl
import subprocess
import time
from collections import Counter
from queue import Empty
from typing import Any

import httpx
from _bench import cpu_seconds, ensure_alive


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
        self.done_at: list[float] = []  # perf_counter of each answer, for the timeline

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
        self.done_at.append(time.perf_counter())
        if status in (200, 201):
            self.ok += 1
        elif status == 409:
            self.refused[str(json.loads(content).get("code"))] += 1
        else:
            self.errors[f"HTTP {status}"] += 1

    def summary(self, started: float, wall: float, cpu: float) -> dict[str, Any]:
        answered = self.ok + sum(self.refused.values())
        done = sorted(at - started for at in self.done_at)
        # When the first answer, and each tenth of them, came back: a slow start shows here.
        marks = [done[min(len(done) - 1, len(done) * tenth // 10)] for tenth in range(11)] if done else []
        return {"ok": self.ok, "refused": dict(self.refused), "errors": dict(self.errors), "wall": wall} | {
            "answered": answered,
            "load_cpu": cpu,
            "marks": marks,
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
    result = tally.summary(t0, time.perf_counter() - t0, time.process_time() - cpu0)
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


def run_load(kind: str, spec: dict[str, Any], server: subprocess.Popen[bytes]) -> dict[str, Any]:
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
