"""Builders for live video tests: a WebM clip made by ffmpeg (as a browser's MediaRecorder would
send it), the ingest socket's URL, and a check that a segment decodes."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import imageio_ffmpeg

from tests.helpers import Client

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
TOKEN = "console-aaaaaaaa"


def make_webm(path: Path, seconds: float, size: str = "320x240", rate: int = 25) -> Path:
    """VP8 + Opus, a key frame a second: what Chromium's MediaRecorder records (video/webm)."""
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", str(seconds), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
         "-b:v", "600k", "-g", str(rate), "-c:a", "libopus", "-f", "webm", str(path)],
        check=True,
    )  # fmt: skip
    return path


def chunks(data: bytes, size: int = 32 * 1024) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def ingest_url(served: str, stream_id: int, token: str = TOKEN) -> str:
    return f"ws://{served.removeprefix('http://')}/live/streams/{stream_id}/ingest?publisher={token}"


def cookie_of(browser: Client) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())}


async def messages_until(ws: Any, kind: str, timeout: float = 20) -> list[dict[str, Any]]:
    """Every message up to and including the next one of type `kind` (or an error)."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["type"] not in {kind, "error"}:
        seen.append(json.loads(await asyncio.wait_for(ws.recv(), timeout)))
    return seen


async def until_left(publishing: Callable[[int], bool], *stream_ids: int, timeout: float = 20) -> None:
    """Wait until the server has seen each host's socket drop and closed its encoder: a client that
    leaves `connect()` is gone before the server's receive loop notices."""
    async with asyncio.timeout(timeout):
        while any(publishing(stream_id) for stream_id in stream_ids):
            await asyncio.sleep(0.02)


def decodes(path: Path) -> bool:
    """ffmpeg decodes the whole file without an error (imageio-ffmpeg ships no ffprobe)."""
    run = subprocess.run(
        [FFMPEG, "-hide_banner", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        check=False,
    )
    return run.returncode == 0 and not run.stderr.strip()


def segments_of(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]
