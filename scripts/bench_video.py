"""Browser ingest, measured: K publishers each push a generated clip through the ingest socket as a
browser does (WebM from a live encoder, at real-time pace, in frames of <= 16 KiB), while a reader
polls each stream's playlist and notes when each segment appears on it.

The clip is encoded first; each 250 ms cluster is then sent when a browser's MediaRecorder would
send it (once its 250 ms are recorded). Capture time of a frame = when sending began + the frame's
time in the clip.
Printed: ingest -> playlist delay per segment, from the capture of its first frame (what the
issue's target, <= 4 s, is about) and of its last frame (the server's own share), p50 and p99; and
the CPU the server spent per stream (its ffmpeg encoders and the app process), in % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _bench
import httpx
import imageio_ffmpeg
from websockets.asyncio.client import connect

FRAME_BYTES = 16 * 1024
CLUSTER_ID = b"\x1f\x43\xb6\x75"
TARGET_S = 4.0


@dataclass
class Stream:
    stream_id: int
    cookie: str
    started: float = 0.0  # wall clock (time.time) when the source encoder started
    seen: dict[str, float] = field(default_factory=dict)  # segment -> wall clock when first listed
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # segment -> clip time [from, to)


def host(base: str) -> tuple[int, str]:
    """A merchant (cookie session, as the console has) with a started stream."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        browser.get("/api/v1/health")
        csrf = {"X-CSRFToken": browser.cookies.get("csrftoken") or ""}
        body = {"email": f"host-{uuid.uuid4().hex[:8]}@bench.example", "password": "bench-password-1"}
        body |= {"display_name": "Bench host", "role": "merchant", "shop_name": "Bench shop"}
        assert browser.post("/api/v1/auth/register", json=body, headers=csrf).status_code == 201
        stream_id = browser.post("/api/v1/streams", json={"title": "Video bench"}, headers=csrf).json()["id"]
        assert browser.post(f"/api/v1/streams/{stream_id}/start", headers=csrf).status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    return int(stream_id), cookie


def make_clip(path: Path, seconds: int, size: str) -> bytes:
    """A camera and microphone as MediaRecorder records them: VP8 + Opus WebM, clusters of 250 ms.
    Encoded before the run, so the machine's speed at encoding it is not part of the measure."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    command += [
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440",
    ]
    command += [
        "-t",
        str(seconds),
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "1500k",
    ]
    command += ["-g", "60", "-c:a", "libopus", "-f", "webm", "-cluster_time_limit", "250", str(path)]
    subprocess.run(command, check=True)
    return path.read_bytes()


def _vint(data: bytes, at: int) -> tuple[int, int]:
    """An EBML variable-size integer at `at`: (value, its length in bytes)."""
    first = data[at]
    length = 8 - first.bit_length() + 1
    value = first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def clusters(data: bytes) -> list[tuple[int, float]]:
    """(offset, start in seconds) of each cluster: the element id, its size, then its Timestamp
    element (id 0xE7, milliseconds at the default timecode scale)."""
    found, at = [], data.find(CLUSTER_ID)
    while at >= 0:
        _, size_len = _vint(data, at + 4)
        child = at + 4 + size_len
        if data[child] == 0xE7:
            length, length_len = _vint(data, child + 1)
            start = int.from_bytes(data[child + 1 + length_len : child + 1 + length_len + length], "big")
            found.append((at, start / 1000))
        at = data.find(CLUSTER_ID, at + 4)
    return found


def paced(data: bytes, seconds: int) -> list[tuple[float, bytes]]:
    """What a browser sends and when: the header with the first cluster, and each cluster once its
    250 ms have been recorded (at the next cluster's start; the last at the clip's end)."""
    marks = clusters(data)
    cuts = [0] + [offset for offset, _ in marks[1:]] + [len(data)]
    times = [start for _, start in marks[1:]] + [float(seconds)]
    return [(when, data[cuts[i] : cuts[i + 1]]) for i, when in enumerate(times)]


async def publish(base: str, stream: Stream, pieces: list[tuple[float, bytes]]) -> None:
    url = f"{base.replace('http://', 'ws://')}/live/streams/{stream.stream_id}/ingest?publisher=bench-stream-{stream.stream_id}"
    async with connect(url, additional_headers={"Cookie": stream.cookie}, max_size=2**20) as ws:
        ended = asyncio.Event()
        reader = asyncio.create_task(read_until_ended(ws, ended))  # acks read, as the console does
        stream.started = time.time()
        for when, piece in pieces:
            await asyncio.sleep(max(0.0, stream.started + when - time.time()))
            for at in range(0, len(piece), FRAME_BYTES):
                await ws.send(piece[at : at + FRAME_BYTES])
        await asyncio.sleep(3)  # the last segments are cut and listed
        await ws.send('{"type": "end"}')
        await asyncio.wait_for(ended.wait(), 30)
        await reader


async def read_until_ended(ws: Any, ended: asyncio.Event) -> None:
    async for message in ws:
        if json.loads(message).get("state") == "ended":
            ended.set()
            return


async def watch(client: httpx.AsyncClient, stream: Stream, done: asyncio.Event) -> None:
    """Poll the playlist every 50 ms; a segment's clip time span comes from the EXTINF sums."""
    while not done.is_set():
        answer = await client.get(f"/live/{stream.stream_id}/video/index.m3u8")
        now = time.time()
        if answer.status_code == 200:
            at = 0.0
            duration = 0.0
            for line in answer.text.splitlines():
                if line.startswith("#EXTINF:"):
                    duration = float(line[8:].rstrip(","))
                elif line and not line.startswith("#"):
                    stream.seen.setdefault(line, now)
                    stream.spans.setdefault(line, (at, at + duration))
                    at += duration
        await asyncio.sleep(0.05)


def children_cpu(pid: int) -> float:
    """CPU seconds of `pid`'s live child processes (the encoders)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    total += _bench.cpu_seconds(int(proc.name))
            except (OSError, ValueError, IndexError):
                continue
    return total


async def sample_encoders(pid: int, done: asyncio.Event) -> float:
    """The encoders' CPU, summed over their lives (sampled, as they exit at the end of each stream)."""
    peak = 0.0
    while not done.is_set():
        peak = max(peak, children_cpu(pid))
        await asyncio.sleep(0.25)
    return peak


async def run(base: str, pid: int, streams: int, seconds: int, size: str) -> list[Stream]:
    with tempfile.TemporaryDirectory() as tmp:
        pieces = paced(make_clip(Path(tmp) / "clip.webm", seconds, size), seconds)
    made = [Stream(*host(base)) for _ in range(streams)]
    done = asyncio.Event()
    app_cpu = _bench.cpu_seconds(pid)
    wall = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        watchers = [asyncio.create_task(watch(client, s, done)) for s in made]
        encoders = asyncio.create_task(sample_encoders(pid, done))
        await asyncio.gather(*(publish(base, s, pieces) for s in made))
        done.set()
        await asyncio.gather(*watchers)
        encoder_cpu = await encoders
    wall = time.monotonic() - wall
    app_cpu = _bench.cpu_seconds(pid) - app_cpu
    report(made, encoder_cpu, app_cpu, wall, seconds, size)
    return made


def report(
    made: list[Stream], encoder_cpu: float, app_cpu: float, wall: float, seconds: int, size: str
) -> None:
    first, last = [], []
    for s in made:
        for name, (start, end) in s.spans.items():
            first.append(s.seen[name] - (s.started + start))
            last.append(s.seen[name] - (s.started + end))
    p = _bench.percentile
    print(f"\nvideo ingest: {len(made)} stream(s), {seconds} s of {size}@30 VP8+Opus each, real-time pace")
    print(f"segments listed: {len(first)} ({len(first) / len(made):.0f} per stream)")
    met = "met" if first and p(first, 0.99) <= TARGET_S else "NOT met"
    spread = f"p50 {p(first, 0.5):.2f} s  p99 {p(first, 0.99):.2f} s"
    print(f"ingest -> playlist, from a segment's first frame: {spread}  (target <= {TARGET_S:.0f} s: {met})")
    own = f"p50 {p(last, 0.5):.2f} s  p99 {p(last, 0.99):.2f} s"
    print(f"ingest -> playlist, from a segment's last frame:  {own}")
    per = 100 * (encoder_cpu + app_cpu) / wall / len(made)
    print(f"CPU per stream: {per:.0f}% of one core (encoders {100 * encoder_cpu / wall / len(made):.0f}%, "
          f"app {100 * app_cpu / wall / len(made):.0f}%) over {wall:.0f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=1, help="publishers at once (default 1)")
    parser.add_argument("--seconds", type=int, default=20, help="clip length (default 20)")
    parser.add_argument("--size", default="1280x720", help="camera size (default 1280x720)")
    args = parser.parse_args()
    _bench.exit_cleanly_on_sigterm()
    with _bench.app_server("sqlite", None, None) as server:
        asyncio.run(run(server.base, server.pid, args.streams, args.seconds, args.size))


if __name__ == "__main__":
    main()
