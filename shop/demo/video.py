"""Demo video, drawn by ffmpeg at seed time (no download): a recording for each replay and a looping
clip for the room that is live now.

A replay's recording is as long as its show, at a frame a second in the host's colour, with the
time since the start and, from each pin, the product on screen: a chapter's seek lands on its
product. It is written as the embedded mode writes recordings (HLS in `media/live/{id}/`, closed).
The live room loops a short clip of the product on sale with a running clock; the real live path
(camera, ingest, HLS) is the console's, and scripts/bench_video measures it.
"""

from __future__ import annotations

import asyncio
import colorsys
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamStatus
from live.video import paths
from shop.accounts.models import User
from shop.core.storage import media_url
from shop.demo.paint import printable
from shop.demo.shows import LIVE_NOW, LIVE_SALE, REPLAYS, Show

SIZE = (360, 640)
LOOP_NAME, LOOP_S = "demo-loop.mp4", 20
_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def font() -> str | None:
    return next((f for f in _FONTS if Path(f).exists()), None)


def _colour(hue: int) -> str:
    r, g, b = colorsys.hls_to_rgb(hue / 360, 0.35, 0.55)
    return f"0x{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _text(words: Path, y: int, size: int, enable: str | None = None) -> str:
    """A drawtext line read from a file (no escaping of product names, no % expansion)."""
    when = f":enable='{enable}'" if enable else ""
    return (
        f"drawtext=fontfile={font()}:textfile={words}:expansion=none:x=(w-text_w)/2:y={y}:fontsize={size}"
        f":fontcolor=white:box=1:boxcolor=black@0.35:boxborderw=10{when}"
    )


def _clock(y: int) -> str:
    return (
        f"drawtext=fontfile={font()}:text='%{{pts\\:hms}}':x=(w-text_w)/2:y={y}:fontsize=28:fontcolor=white"
    )


def _filters(workdir: Path, title: str, chapters: list[tuple[float, float, str]]) -> str:
    """A bar sweeping across (so the picture moves), the title, the clock, each chapter's product."""
    moving = f"drawbox=x='mod(t*60,{SIZE[0]})':y={SIZE[1] - 90}:w=40:h=10:color=white@0.8:t=fill"
    if font() is None:
        return moving
    (workdir / "title.txt").write_text(printable(title)[:34])
    parts = [moving, _text(workdir / "title.txt", 60, 16), _clock(110)]
    for i, (start, end, name) in enumerate(chapters):
        (workdir / f"chapter{i}.txt").write_text(printable(name)[:28])
        parts.append(_text(workdir / f"chapter{i}.txt", 300, 22, f"between(t,{start},{end})"))
    return ",".join(parts)


def _chapters(show: Show) -> list[tuple[float, float, str]]:
    """(from, to, product) for each pin or sale in the show's script, to the next one or the end."""
    beats = []
    for line in show.script.strip().splitlines():
        at, verb, rest = line.strip().split(" ", 2)
        if verb in ("pin", "sale"):
            minutes, seconds = at.split(":")
            beats.append((int(minutes) * 60.0 + int(seconds), rest))
    ends = [b[0] for b in beats[1:]] + [show.length_min * 60.0]
    return [(start, end, name) for (start, name), end in zip(beats, ends, strict=True)]


def _ffmpeg(source: str, seconds: float, filters: str, output: list[str]) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", source, "-t", str(seconds), "-vf", filters]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *output]
    subprocess.run(command, check=True)  # noqa: S603 (the wheel's ffmpeg, arguments of our own)


def record_replay(folder: Path, show: Show, hue: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        filters = _filters(Path(workdir), show.title, _chapters(show))
        source = f"color=c={_colour(hue)}:s={SIZE[0]}x{SIZE[1]}:r=1"
        # A key frame and a segment every 6 s: a recording, not a live edge to keep close to.
        hls = ["-g", "6", "-crf", "32", "-f", "hls", "-hls_time", "6", "-hls_list_size", "0"]
        hls += ["-hls_playlist_type", "vod"]
        hls += ["-hls_segment_filename", str(folder / paths.SEGMENT_PATTERN), str(folder / paths.PLAYLIST)]
        _ffmpeg(source, show.length_min * 60, filters, hls)


def record_loop(path: Path, title: str, product: str, hue: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        filters = _filters(Path(workdir), title, [(0, LOOP_S, product)])
        source = f"color=c={_colour(hue)}:s={SIZE[0]}x{SIZE[1]}:r=24"
        _ffmpeg(source, LOOP_S, filters, ["-g", "48", "-movflags", "+faststart", str(path)])


async def seed_video(db: AsyncSession, media_dir: Path, say: Callable[[str], None]) -> int:
    """Record what is missing; returns how many videos were made."""
    made = 0
    for show, status in [*((s, StreamStatus.ENDED) for s in REPLAYS), (LIVE_NOW, StreamStatus.LIVE)]:
        row = (
            await db.execute(
                select(Stream, User.avatar_hue)
                .join(User, User.id == Stream.host_id)
                .where(User.email == show.host, Stream.title == show.title, Stream.status == status.value)
                .order_by(Stream.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            continue
        stream, hue = row
        folder = paths.stream_folder(media_dir, stream.id)
        if status == StreamStatus.LIVE:
            url = media_url(f"live/{stream.id}/{LOOP_NAME}")
            if not (folder / LOOP_NAME).exists():
                await asyncio.to_thread(record_loop, folder / LOOP_NAME, show.title, LIVE_SALE[1], hue)
                made += 1
        else:
            url = paths.playlist_url(stream.id)
            if not (folder / paths.PLAYLIST).exists():
                await asyncio.to_thread(record_replay, folder, show, hue)
                made += 1
        stream.playback_url = url
    await db.commit()
    say(f"{made} demo videos drawn by ffmpeg" if made else "demo videos already drawn")
    return made
