"""The demo's room on air is broadcast for real (issue 16): with DEMO_BROADCAST set, the app plays the
room's seeded clip through ffmpeg in real time with the wall clock burnt in, as HLS with program
date-times at the live edge, starts ffmpeg again when it dies, steps aside while the host goes live on
the room from the console, and gives the room its clip back at shutdown."""

# `clip` is the ingest test's fixture.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from live.models import Stream
from live.video import paths
from shop.demo.broadcast import Broadcaster
from shop.demo.video import LOOP_NAME, record_loop
from shop.settings import Settings
from tests.helpers import Client
from tests.integration.test_video_ingest import clip, new_stream  # noqa: F401 (a fixture)
from tests.video_helpers import chunks, cookie_of, ingest_url, messages_until

PDT = re.compile(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)\s+(seg_\d+\.ts)")


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    # A media folder per test (stream ids start again after each wipe), and the broadcaster on.
    update = {"redis_prefix": f"zc-demo-{tmp_path.name}", "var_dir": tmp_path, "demo_broadcast": True}
    return base_settings.model_copy(update=update)


async def _fresh_edge(folder: Path, after: str | None = None, within_s: float = 15) -> tuple[str, float]:
    """The newest segment (a name other than `after`) and how old its program date-time is."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        text = (folder / paths.PLAYLIST).read_text() if (folder / paths.PLAYLIST).is_file() else ""
        dated = PDT.findall(text)
        if dated and dated[-1][1] != after and (folder / dated[-1][1]).is_file():
            when, name = dated[-1]
            return name, time.time() - datetime.strptime(when, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        await asyncio.sleep(0.2)
    raise AssertionError(f"no fresh segment in {within_s} s: {text!r}")


async def _ended(pid: int, within_s: float = 5) -> bool:
    """Whether the process is gone (the broadcaster looks twice a second, then stops its ffmpeg)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_room_on_air_is_broadcast_with_the_capture_time_and_survives_ffmpeg_dying(
    creator: Client, app: Litestar, db: AsyncSession, settings: Settings
) -> None:
    stream_id = await new_stream(creator)
    folder = paths.stream_folder(settings.media_dir, stream_id)
    await asyncio.to_thread(record_loop, folder / LOOP_NAME, "Broadcast test", "Serum", 200)
    broadcaster: Broadcaster = app.state.demo_broadcaster

    name, age = await _fresh_edge(folder)
    assert age < 4, age  # segments start at most a segment and a bit before now
    url = await db.scalar(select(Stream.playback_url).where(Stream.id == stream_id))
    assert url == paths.playlist_url(stream_id)
    playlist = await creator.get(url)
    assert playlist.status_code == 200
    assert "#EXT-X-PROGRAM-DATE-TIME" in playlist.text
    assert "#EXT-X-ENDLIST" not in playlist.text

    assert broadcaster.encoder is not None
    killed = broadcaster.encoder.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    name, age = await _fresh_edge(folder, after=name)
    assert broadcaster.encoder.pid not in (None, killed)
    assert age < 4, age
    text = (folder / paths.PLAYLIST).read_text()
    assert "#EXT-X-DISCONTINUITY" in text  # the new ffmpeg appended to the same playlist
    assert len(PDT.findall(text)) <= 7  # a window at the live edge, not a recording

    running = broadcaster.encoder.pid
    assert running is not None
    await broadcaster.stop()  # as the app's shutdown does
    with pytest.raises(ProcessLookupError):
        os.kill(running, 0)  # stopped and reaped before stop() returns
    await db.rollback()
    url = await db.scalar(select(Stream.playback_url).where(Stream.id == stream_id))
    assert url is not None
    assert url.endswith(f"/live/{stream_id}/{LOOP_NAME}")


async def test_the_broadcast_steps_aside_while_the_host_goes_live_on_the_room(
    creator: Client,
    app: Litestar,
    served: str,
    clip: bytes,
    settings: Settings,
) -> None:
    stream_id = await new_stream(creator)
    folder = paths.stream_folder(settings.media_dir, stream_id)
    await asyncio.to_thread(record_loop, folder / LOOP_NAME, "Broadcast test", "Serum", 200)
    broadcaster: Broadcaster = app.state.demo_broadcaster
    await _fresh_edge(folder)
    assert broadcaster.encoder is not None
    demo = broadcaster.encoder.pid
    assert demo is not None
    async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
        for chunk in chunks(clip):
            await ws.send(chunk)
        await messages_until(ws, "state")  # connecting
        assert (await messages_until(ws, "state"))[-1]["state"] == "live"
        assert await _ended(demo)  # one ffmpeg writes the room's folder: the host's
        await ws.send('{"type": "end"}')
        assert (await messages_until(ws, "state"))[-1]["state"] == "ended"
