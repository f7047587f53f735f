"""The scaled path (issue 16): with a media server configured, the host (only) sees the RTMP URL
and the stream's key, and can point viewers at the media server's playlist; the app relays nothing."""

from __future__ import annotations

import pytest

from live.video.rtmp import stream_key
from shop.settings import Settings
from tests.helpers import Client
from tests.integration.test_video_ingest import new_stream


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    media = {
        "rtmp_ingest_url": "rtmp://media.example.test/live",
        "rtmp_hls_base": "https://media.example.test/hls/",
    }
    return base_settings.model_copy(update={"redis_prefix": "zc-rtmp-test", **media})


async def test_the_host_gets_the_rtmp_url_and_key_and_can_switch_playback(
    creator: Client, shopper: Client, other_merchant: Client, settings: Settings
) -> None:
    stream_id = await new_stream(creator)
    shown = (await creator.get(f"/api/v1/streams/{stream_id}/rtmp")).json()
    key = stream_key(settings, stream_id)
    assert shown == {
        "ingest_url": "rtmp://media.example.test/live",
        "stream_key": key,
        "playback_url": f"https://media.example.test/hls/{key}.m3u8",
    }
    assert key != stream_key(settings, stream_id + 1)
    assert str(stream_id) in key.split("-")[0]
    assert len(key.split("-")[1]) == 24  # not guessable from the id
    for stranger in (shopper, other_merchant):
        assert (await stranger.get(f"/api/v1/streams/{stream_id}/rtmp")).status_code == 404
        assert (await stranger.post(f"/api/v1/streams/{stream_id}/rtmp/use")).status_code == 404
    assert (await creator.post(f"/api/v1/streams/{stream_id}/rtmp/use")).status_code == 200
    stream = (await shopper.get(f"/api/v1/streams/{stream_id}")).json()
    assert stream["playback_url"] == shown["playback_url"]
    room = await shopper.get(f"/live/{stream_id}")
    assert f'data-src="{shown["playback_url"]}"' in room.text  # the room plays the media server's HLS
    connect = next(
        d for d in room.headers["content-security-policy"].split("; ") if d.startswith("connect-src")
    )
    assert "https://media.example.test" in connect.split()  # which hls.js may fetch
