"""One ffmpeg process turning a WebM byte stream (the browser's MediaRecorder) into HLS.

The binary comes from the imageio-ffmpeg wheel, so a fresh machine needs no system package. Video is
re-encoded to H.264 (what every HLS player and Debian's Chromium decode) with a key frame every
`segment_s`, so each segment is cut at that length; audio to AAC. The playlist keeps every segment
(the recording is the replay) and never gets its end tag from ffmpeg (`omit_endlist`): a dropped
connection or a restart appends to it (`append_list`, which marks a discontinuity); only the end of
the stream closes it (`paths.close_playlist`). Segments are written under a temporary name and
renamed, so a listed segment is always complete.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import imageio_ffmpeg

from live.video.paths import PLAYLIST, SEGMENT_PATTERN

CLOSE_TIMEOUT_S = 10.0


def hls_command(folder: Path, segment_s: float) -> list[str]:
    return [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "matroska",
        "-i",
        "pipe:0",
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        # A phone's 1080p picture is scaled down to 720 lines: enough for a shop window, and the
        # encoder keeps pace on a small server.
        "-vf",
        "scale=-2:'min(720,ih)':flags=fast_bilinear",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-crf",
        "26",
        "-maxrate",
        "2500k",
        "-bufsize",
        "2500k",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{segment_s})",
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-ar",
        "48000",
        "-f",
        "hls",
        "-hls_time",
        str(segment_s),
        "-hls_list_size",
        "0",
        "-hls_flags",
        "append_list+omit_endlist+program_date_time+independent_segments+temp_file",
        "-hls_segment_filename",
        str(folder / SEGMENT_PATTERN),
        str(folder / PLAYLIST),
    ]


class Encoder:
    """The process, its stdin, and how it ended. `write` never raises: it answers False once the
    process is gone, and the publisher decides whether to restart it. With a `command` of its own
    (the demo's broadcaster reads a file) there is no stdin, and closing stops the process."""

    def __init__(self, folder: Path, segment_s: float, log: Path, command: list[str] | None = None) -> None:
        # The log lives outside the media folder: /media serves that folder's files as they are.
        self.folder, self.segment_s, self.log, self.command = folder, segment_s, log, command
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *(self.command or hls_command(self.folder, self.segment_s)),
                stdin=asyncio.subprocess.PIPE if self.command is None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def write(self, data: bytes) -> bool:
        if not self.alive:
            return False
        assert self.process is not None
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def close(self) -> None:
        """End of input: ffmpeg writes the last segment and exits (killed if it will not)."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is None:
            process.terminate()  # ffmpeg ends its output on SIGTERM as it does at the end of input
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if process.stdin is not None:
                process.stdin.close()
                await process.stdin.wait_closed()
        try:
            await asyncio.wait_for(process.wait(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
