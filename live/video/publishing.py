"""One host's connection on the ingest socket: WebM chunks in, the encoder fed, the host told.

What the host's console hears (JSON text frames):
  {"type": "state", "state": "connecting" | "live" | "ended"}
  {"type": "ack", "bytes": n}           at most once a second: what the server has received so far
  {"type": "restarted", "message": …}   the encoder died and was started again (a discontinuity)
  {"type": "error", "code": …, "message": …}, then the socket closes with that reason:
      not_webm (1003), too_large (1009), disk_full (4507), encoder_failed (1011)
The console may send {"type": "end"}: the recording is closed (the replay's playlist ends there).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import WebSocket

from live.video import paths
from live.video.encoder import Encoder

EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # every WebM (Matroska) stream starts with its EBML header
CLUSTER_ID = b"\x1f\x43\xb6\x75"  # media data starts at the first cluster: what precedes is the header
HEADER_MAX = 256 * 1024
RESTARTS_PER_MINUTE = 3
DISK_CHECK_S = 1.0
ACK_EVERY_S = 1.0


@dataclass(frozen=True, slots=True)
class Limits:
    chunk_max_bytes: int
    min_free_bytes: int
    segment_s: float
    log_dir: Path


class Refused(Exception):
    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.close_code, self.code, self.message = close_code, code, message


class Publisher:
    def __init__(self, socket: WebSocket[Any, Any, Any], folder: Path, limits: Limits) -> None:
        self.socket, self.folder, self.limits = socket, folder, limits
        self.encoder: Encoder | None = None
        self.header = bytearray()
        self.header_done = False
        self.received = 0
        self.restarts: list[float] = []
        self._disk_checked = self._acked = -1e9
        self.replaced = False

    async def say(self, message: dict[str, Any]) -> None:
        await self.socket.send_text(json.dumps(message, separators=(",", ":")))

    async def run(self) -> None:
        """Until the host leaves, ends the recording, or is refused. The encoder is always closed
        (its last segment written); the playlist stays open unless the host ended it."""
        await self.say({"type": "state", "state": "connecting"})
        try:
            while True:
                event: dict[str, Any] = dict(await self.socket.receive())
                if event["type"] == "websocket.disconnect":
                    return
                if event.get("bytes") is not None:
                    await self.take(event["bytes"])
                elif _is_end(event.get("text")):
                    await self.end()
                    return
        except Refused as refused:
            await self.say({"type": "error", "code": refused.code, "message": refused.message})
            await self.socket.close(code=refused.close_code, reason=refused.code)
        finally:
            if self.encoder is not None:
                await self.encoder.close()

    async def take(self, chunk: bytes) -> None:
        if len(chunk) > self.limits.chunk_max_bytes:
            mb = self.limits.chunk_max_bytes / (1024 * 1024)
            raise Refused(1009, "too_large", f"A chunk can be at most {mb:g} MB.")
        if not self.header_done:
            self._read_header(chunk)
        self._check_disk()
        started = False
        if self.encoder is None:
            self.encoder, started = await self._start(), True
        if not await self.encoder.write(chunk):
            await self._recover()
            # The chunk that found the encoder dead is the new one's first media, not lost: without
            # it, a short remainder could hold no cluster the new encoder can start from.
            await self.encoder.write(chunk)
        self.received += len(chunk)
        if started:
            await self.say({"type": "state", "state": "live"})
        if time.monotonic() - self._acked >= ACK_EVERY_S:
            self._acked = time.monotonic()
            await self.say({"type": "ack", "bytes": self.received})

    def _read_header(self, chunk: bytes) -> None:
        """Keep the stream's header (up to its first cluster): a restarted encoder is fed it first,
        then the chunks that follow, and finds its place at the next cluster."""
        self.header += chunk
        # Chromium's first chunk can be a single byte (0x1A): the magic is checked on what arrived.
        if self.header[: len(EBML_MAGIC)] != EBML_MAGIC[: len(self.header)]:
            raise Refused(1003, "not_webm", "Send WebM, as MediaRecorder records it (video/webm).")
        cut = self.header.find(CLUSTER_ID)
        if cut >= 0:
            del self.header[cut:]
            self.header_done = True
        elif len(self.header) > HEADER_MAX:
            raise Refused(1003, "not_webm", "This WebM stream has no media in its first 256 KB.")

    def _check_disk(self, *, now: bool = False) -> None:
        """Stop before the disk is full: the segments written so far stay playable."""
        if not now and time.monotonic() - self._disk_checked < DISK_CHECK_S:
            return
        self._disk_checked = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(self.folder).free < self.limits.min_free_bytes:
            raise Refused(
                4507, "disk_full", "The server's disk is full: the stream stopped. Recorded so far is kept."
            )

    async def _start(self) -> Encoder:
        log = self.limits.log_dir / f"ffmpeg-{self.folder.name}.log"
        encoder = Encoder(self.folder, self.limits.segment_s, log)
        await encoder.start()
        return encoder

    async def _recover(self) -> None:
        """The encoder died mid-stream: start another on the same playlist and tell the host."""
        self._check_disk(now=True)
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        if len(self.restarts) > RESTARTS_PER_MINUTE:
            raise Refused(1011, "encoder_failed", "The video encoder keeps failing: the stream stopped.")
        assert self.encoder is not None
        await self.encoder.close()
        self.encoder = await self._start()
        await self.encoder.write(bytes(self.header))
        await self.say({"type": "restarted", "message": "The video encoder restarted: the stream goes on."})

    async def end(self) -> None:
        if self.encoder is not None:
            await self.encoder.close()
            self.encoder = None
        paths.close_playlist(self.folder / paths.PLAYLIST)
        await self.say({"type": "state", "state": "ended"})
        await self.socket.close(code=1000, reason="ended")


def _is_end(text: str | None) -> bool:
    try:
        return bool(text) and json.loads(text or "").get("type") == "end"
    except (ValueError, AttributeError):
        return False
