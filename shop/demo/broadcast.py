"""The demo's room on air, broadcast for real (issue 16): while the demo server runs (DEMO_BROADCAST=1,
set by scripts/demo), ffmpeg plays the room's seeded clip in real time and in a loop, burns the wall
clock at capture time into the picture, and writes HLS with program date-times into the folder the
room plays, as a camera's stream is written (live/video's Encoder). So the delay can be seen: the
picture's clock against the viewer's own, and the room's "behind live" label (video-room.js).

Small and cheap: the clip's 360x640 picture at 15 frames a second, x264 ultrafast at 400 kbit/s, six
1 s segments kept (older ones deleted). ffmpeg dying is logged and it starts again; the app's
shutdown stops it and gives the room its clip back, so a server run without the broadcaster plays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from live.models import Stream, StreamStatus
from live.video import paths
from live.video.encoder import Encoder
from live.video.ingest import slots_of
from shop.core.storage import media_url
from shop.demo.video import LOOP_NAME, font
from shop.settings import Settings

log = logging.getLogger("zhongcao.demo")
RESTART_S = 2.0  # after ffmpeg died, or while there is no room on air to broadcast
SEGMENT_S, LIST_SIZE, FPS = 1, 6, 15
# The capture time, escaped for drawtext's option parser and then the filter graph's ("\\\:" is a colon).
WALL_CLOCK = "%{localtime\\:%H\\\\\\:%M\\\\\\:%S}"


def command(folder: Path) -> list[str]:
    # Over the clip's own running clock (y=110), in an opaque box: one clock on screen, the wall's.
    typeface = font()
    clock = (
        f",drawtext=fontfile={typeface}:text='{WALL_CLOCK}':x=(w-text_w)/2:y=104:fontsize=40"
        ":fontcolor=white:box=1:boxcolor=black:boxborderw=10"
        if typeface
        else ""
    )
    return [
        *(imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"),
        *("-re", "-stream_loop", "-1", "-i", str(folder / LOOP_NAME), "-an"),
        *("-vf", f"fps={FPS}{clock}", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency"),
        *("-pix_fmt", "yuv420p", "-b:v", "400k", "-maxrate", "400k", "-bufsize", "800k"),
        # A key frame at each segment's start, so every segment is cut at 1 s.
        *("-g", str(FPS * SEGMENT_S), "-keyint_min", str(FPS * SEGMENT_S), "-sc_threshold", "0"),
        *("-f", "hls", "-hls_time", str(SEGMENT_S), "-hls_list_size", str(LIST_SIZE)),
        # As the camera's encoder writes (append_list: a restart goes on numbering, with a discontinuity),
        # but a window of the live edge: the loop is not a recording to keep.
        *("-hls_flags", "append_list+omit_endlist+program_date_time+delete_segments+temp_file"),
        *("-hls_segment_filename", str(folder / paths.SEGMENT_PATTERN), str(folder / paths.PLAYLIST)),
    ]


class Broadcaster:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        media_dir: Path,
        log_dir: Path,
        publishing: Callable[[int], bool],
    ) -> None:
        self.sessions, self.media_dir, self.log_dir = sessions, media_dir, log_dir
        # A host who goes live on the room from its console writes the same folder: the broadcast
        # steps aside while they publish.
        self.publishing = publishing
        self.stream_id: int | None = None
        self.encoder: Encoder | None = None
        self.task: asyncio.Task[None] | None = None

    async def _room(self) -> int | None:
        """The newest room on air with a seeded clip in its folder, and no host publishing to it."""
        async with self.sessions() as db:
            ids = await db.scalars(
                select(Stream.id).where(Stream.status == StreamStatus.LIVE.value).order_by(Stream.id.desc())
            )
            folders = ((i, paths.stream_folder(self.media_dir, i)) for i in ids)
            seeded = (i for i, folder in folders if (folder / LOOP_NAME).is_file())
            return next((i for i in seeded if not self.publishing(i)), None)

    async def _play(self, stream_id: int, url: str) -> None:
        async with self.sessions() as db, db.begin():
            await db.execute(update(Stream).where(Stream.id == stream_id).values(playback_url=url))

    async def once(self) -> None:
        """One ffmpeg, until it exits (or the task is cancelled: it is stopped then)."""
        stream_id = self.stream_id = await self._room()
        if stream_id is None:
            return
        folder = paths.stream_folder(self.media_dir, stream_id)
        self.encoder = Encoder(folder, SEGMENT_S, self.log_dir / "ffmpeg-demo.log", command(folder))
        await self.encoder.start()
        try:
            await self._play(stream_id, paths.playlist_url(stream_id))
            exited = asyncio.ensure_future(self.encoder.wait())
            while not self.publishing(stream_id):
                if (await asyncio.wait({exited}, timeout=0.5))[0]:
                    log.warning("the demo broadcast's ffmpeg exited (%s): it starts again", exited.result())
                    return
            log.info("stream %s: its host publishes, the demo broadcast steps aside", stream_id)
        finally:
            await self.encoder.close()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.once()
            except Exception:
                log.exception("the demo broadcast failed; trying again")
            await asyncio.sleep(RESTART_S)

    def start(self) -> None:
        self.task = asyncio.create_task(self.run_forever())

    async def stop(self) -> None:
        """Stop ffmpeg and give the room its seeded clip back (the playlist stops growing now)."""
        if self.task is None:
            return
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        if self.stream_id is not None:
            await self._play(self.stream_id, media_url(f"live/{self.stream_id}/{LOOP_NAME}"))


def lifespan(settings: Settings, engine: AsyncEngine) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app's lifespan part: broadcasts only when DEMO_BROADCAST is set (scripts/demo sets it)."""

    @asynccontextmanager
    async def broadcasting(app: Any) -> AsyncIterator[None]:
        if not settings.demo_broadcast:
            yield
            return
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        publishing = slots_of(app.state, settings).publishing
        broadcaster = Broadcaster(sessions, settings.media_dir, settings.var_dir / "logs", publishing)
        app.state.demo_broadcaster = broadcaster  # for a test to kill its ffmpeg
        broadcaster.start()
        try:
            yield
        finally:
            try:
                await broadcaster.stop()
            except Exception:
                log.exception("the demo room could not get its clip back")

    return broadcasting
