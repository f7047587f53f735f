"""The websocket side of bench_live, each in a helper process driven by (command, *args) over a
pipe: the audience of viewers (`Audience`), and the fan-out baseline, a bare `websockets` broadcast
server (`BareServer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from collections import Counter
from typing import Any

import _bench  # noqa: F401  (puts the checkout on sys.path, for the `shop` import below)
from websockets.asyncio.client import connect
from websockets.asyncio.server import broadcast, serve

from shop.core.runtime import tune_gc

FANOUT = ("pin", "unpin")


class Audience:
    """The viewers. Messages are classified by their leading `{"type":"…"` (no JSON parse) except
    `stock`, whose `remaining` is kept with its arrival time for the latency pairs."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.samples: dict[str, str] = {}
        self.failed = Counter[str]()
        self.counts = Counter[str]()
        self.last: dict[str, float] = {}
        self.stock: list[list[tuple[float, int, float]]] = []
        self.cpu0 = 0.0
        self.closed = 0  # connections the server closed (a viewer too slow is dropped)

    async def connect(self, url: str, count: int, parallel: int) -> dict[str, Any]:
        gate, started = asyncio.Semaphore(parallel), time.perf_counter()
        self.failed.clear()
        await asyncio.gather(*(self._open(url, gate) for _ in range(count)))
        self.stock = [[] for _ in self.sockets]
        self.tasks = [asyncio.create_task(self._read(i, ws)) for i, ws in enumerate(self.sockets)]
        return {
            "connected": len(self.sockets),
            "failed": dict(self.failed),
            "seconds": time.perf_counter() - started,
        }

    async def _open(self, url: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                ws = await connect(url, compression=None, ping_interval=None, open_timeout=120, proxy=None)
                self.samples.setdefault("snapshot", str(await ws.recv()))
                self.sockets.append(ws)
            except Exception as error:  # counted, never fatal
                self.failed[type(error).__name__] += 1

    async def _read(self, index: int, ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                now = time.time()
                kind = raw[9 : raw.find('"', 9)] if raw.startswith('{"type":"') else "?"
                self.counts[kind] += 1
                self.last[kind] = now
                if kind == "stock":
                    message = json.loads(raw)
                    self.stock[index].append((now, int(message["remaining"]), float(message["ts"])))
                elif kind in FANOUT:
                    self.samples.setdefault(kind, raw)
        self.closed += 1

    async def mark(self) -> float:
        self.counts, self.last, self.cpu0 = Counter(), {}, time.process_time()
        self.stock = [[] for _ in self.sockets]
        return time.time()

    async def quiet(self, kinds: list[str], quiet_s: float, limit_s: float) -> dict[str, Any]:
        """Wait until no message of `kinds` arrived for `quiet_s`; then report since the mark."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            newest = max((self.last.get(k, 0.0) for k in kinds), default=0.0)
            if newest and time.time() - newest > quiet_s:
                break
            await asyncio.sleep(0.1)
        return {"counts": dict(self.counts), "last": dict(self.last), "stock": self.stock} | {
            "cpu": time.process_time() - self.cpu0,
            "samples": self.samples,
            "closed": self.closed,
        }

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.tasks:
            task.cancel()
        self.sockets, self.tasks = [], []


class BareServer:
    """The fan-out baseline: plain `websockets`, the same snapshot first, then `broadcast()`."""

    async def start(self, port: int, snapshot: str) -> int:
        self.clients: set[Any] = set()
        self.snapshot = snapshot
        self.server = await serve(
            self._handler, "127.0.0.1", port, compression=None, ping_interval=None, backlog=4096
        )
        return os.getpid()

    async def _handler(self, ws: Any) -> None:
        await ws.send(self.snapshot)
        self.clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            self.clients.discard(ws)

    async def broadcast(self, messages: list[str]) -> float:
        started = time.perf_counter()
        for message in messages:
            broadcast(self.clients, message)
            await asyncio.sleep(0)  # let the loop flush, as a server handling requests would
        return time.perf_counter() - started

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


def _serve_commands(kind: str, pipe: Any) -> None:
    with contextlib.suppress(ImportError):
        import uvloop  # uvicorn runs on uvloop: give the client and the bare server the same loop

        uvloop.install()
    # The app's GC settings here too: with CPython's defaults the viewers' process, holding 2,000
    # connections, stalled 75-110 ms in a full collection about once a second. Those stalls were
    # counted as the server's delivery latency, and were a tenth of either fan-out's wall time.
    tune_gc()

    async def loop() -> None:
        target = Audience() if kind == "audience" else BareServer()
        running = asyncio.get_running_loop()
        while (command := await running.run_in_executor(None, pipe.recv))[0] != "exit":
            try:
                pipe.send(await getattr(target, command[0])(*command[1:]))
            except Exception as error:  # reported to the caller, which stops the run
                pipe.send(RuntimeError(f"{kind} {command[0]}: {error!r}"))

    asyncio.run(loop())


class Helper:
    def __init__(self, kind: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.pipe, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_commands, args=(kind, child), daemon=True)
        self.process.start()

    def __call__(self, *command: Any, timeout: float = 600) -> Any:
        self.pipe.send(command)
        if not self.pipe.poll(timeout):
            raise SystemExit(f"helper process did not answer {command[0]!r} in {timeout:.0f} s")
        try:
            answer = self.pipe.recv()
        except EOFError:
            raise SystemExit(f"helper process died during {command[0]!r}") from None
        if isinstance(answer, Exception):
            raise SystemExit(str(answer))
        return answer

    def exit(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(("exit",))
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
