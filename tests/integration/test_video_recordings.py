"""Recordings after the stream (issue 16): an ended stream's playlist is closed even when the console
never said `end`, and recordings older than RECORDING_RETENTION_DAYS are deleted with their URL."""

# `settings` (a media folder per test) and `clip` are the ingest test's fixtures.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

from litestar import Litestar
from websockets.asyncio.client import connect

from live.video import jobs, paths
from live.video.ingest import slots_of
from shop.settings import Settings
from tests.helpers import Client
from tests.integration.test_video_ingest import clip, new_stream, settings  # noqa: F401
from tests.video_helpers import chunks, cookie_of, ingest_url, messages_until, until_left


async def test_an_ended_streams_recording_is_closed_then_deleted_after_the_retention(
    creator: Client,
    anonymous: Client,
    served: str,
    clip: bytes,
    app: Litestar,
    settings: Settings,
    clock: ModuleType,
) -> None:
    ended_id, live_id = await new_stream(creator), await new_stream(creator)
    for stream_id in (ended_id, live_id):
        async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
            for chunk in chunks(clip):
                await ws.send(chunk)
            await messages_until(ws, "state")
            await messages_until(ws, "state")
        # The host's connection dropped without `end`: the playlist stays open for a reconnect.
    assert (await creator.post(f"/api/v1/streams/{ended_id}/end")).status_code == 200
    stray = paths.stream_folder(settings.media_dir, 999_999)  # a stream that no longer exists
    stray.mkdir(parents=True)
    folder, live_folder = (paths.stream_folder(settings.media_dir, i) for i in (ended_id, live_id))
    sessions, publishing = app.state["sessions"], slots_of(app.state, settings).publishing
    # Until the encoder has written its last playlist, a closed playlist would be overwritten.
    await until_left(publishing, ended_id, live_id)

    assert await jobs.sweep(sessions, settings.media_dir, 30, publishing) == [999_999]
    assert paths.is_closed(folder / paths.PLAYLIST)
    assert not paths.is_closed(live_folder / paths.PLAYLIST)  # still on air: not touched
    assert not stray.exists()

    clock.advance(timedelta(days=31))
    assert await jobs.sweep(sessions, settings.media_dir, 30, publishing) == [ended_id]
    assert not folder.exists()
    assert live_folder.exists()
    stream = (await anonymous.get(f"/api/v1/streams/{ended_id}")).json()
    assert stream["playback_url"] is None
    assert (await anonymous.get(paths.playlist_url(ended_id))).status_code == 404
    page = await anonymous.get(f"/live/{ended_id}/replay")
    assert "No recording for this stream" in page.text
