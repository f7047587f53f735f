"""Going live from the browser (issue 16): WebM chunks over the host's ingest socket become an HLS
playlist of short segments that the app serves, and the recording is closed at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from live.video import paths
from shop.settings import Settings
from tests.helpers import Client
from tests.video_helpers import chunks, cookie_of, decodes, ingest_url, make_webm, messages_until, segments_of


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    # A media folder per test: stream ids start again after each test's wipe.
    return base_settings.model_copy(update={"redis_prefix": f"zc-video-{tmp_path.name}", "var_dir": tmp_path})


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_webm(tmp_path_factory.mktemp("clip") / "clip.webm", seconds=6).read_bytes()


async def new_stream(creator: Client) -> int:
    stream_id = (await creator.post("/api/v1/streams", json={"title": "Camera test"})).json()["id"]
    assert (await creator.post(f"/api/v1/streams/{stream_id}/start")).status_code == 200
    return int(stream_id)


async def test_a_pushed_clip_becomes_a_served_playlist_of_playable_segments(
    creator: Client, anonymous: Client, served: str, clip: bytes, settings: Settings
) -> None:
    stream_id = await new_stream(creator)
    async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
        assert (await messages_until(ws, "state"))[-1]["state"] == "connecting"
        for chunk in chunks(clip):
            await ws.send(chunk)
        said = await messages_until(ws, "state")
        assert said[-1]["state"] == "live"
        await ws.send('{"type": "end"}')
        said = await messages_until(ws, "state")
        assert said[-1]["state"] == "ended"
        assert max(m["bytes"] for m in said if m["type"] == "ack") <= len(clip)
    stream = (await anonymous.get(f"/api/v1/streams/{stream_id}")).json()
    assert stream["playback_url"] == paths.playlist_url(stream_id)
    answer = await anonymous.get(stream["playback_url"])
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    playlist = answer.text
    assert playlist.startswith("#EXTM3U")
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    durations = [float(line[8:].rstrip(",")) for line in playlist.splitlines() if line.startswith("#EXTINF:")]
    assert 5.5 <= sum(durations) <= 6.5
    assert max(durations) <= 2.0
    folder = paths.stream_folder(settings.media_dir, stream_id)
    for name in segments_of(playlist):
        served_segment = await anonymous.get(f"/live/{stream_id}/video/{name}")
        assert served_segment.status_code == 200
        assert served_segment.content == (folder / name).read_bytes()
        assert decodes(folder / name), name
