"""The scaled path (issue 16): with a media server configured, the host (only) sees the RTMP URL
and the stream's key, and can point viewers at the media server's playlist; the app relays nothing.
The media server's `on_publish` hook takes only a stream's own key (the real nginx-rtmp calls it in
test_video_rtmp_nginx.py)."""

from __future__ import annotations

import pytest

from live.video.rtmp import stream_key
from shop.core.schemas import MAX_ID
from shop.settings import Settings
from tests.helpers import Client
from tests.integration.test_video_ingest import new_stream

HOOK_SECRET = "hook-secret-for-tests"


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    media = {
        "rtmp_ingest_url": "rtmp://media.example.test/live",
        "rtmp_hls_base": "https://media.example.test/hls/",
        "rtmp_hook_secret": HOOK_SECRET,
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


async def hook(browser: Client, call: str, name: str, secret: str | None = HOOK_SECRET) -> int:
    """As nginx-rtmp calls it: a form POST without a session's CSRF token."""
    query = "" if secret is None else f"?secret={secret}"
    form = {"call": call, "app": "live", "name": name, "type": "live", "addr": "127.0.0.1"}
    answer = await browser.post(f"/api/v1/rtmp/{call}{query}", data=form, csrf=False)
    return answer.status_code


async def test_the_publish_hook_takes_only_the_key_of_a_stream_that_has_not_ended(
    creator: Client, anonymous: Client, settings: Settings
) -> None:
    live = await new_stream(creator)
    scheduled = (await creator.post("/api/v1/streams", json={"title": "Later"})).json()["id"]
    key = stream_key(settings, live)
    assert await hook(anonymous, "on_publish", key) == 200
    assert await hook(creator, "on_publish", stream_key(settings, scheduled)) == 200
    assert await hook(anonymous, "on_publish_done", key) == 200
    refused = [
        key[:-1] + ("0" if key[-1] != "0" else "1"),  # another digest
        key.upper(),
        f"zc{live}-" + "0" * 24,
        stream_key(settings, live + 1000),  # a well-made key of no stream
        stream_key(settings, MAX_ID + 1),
        f"zc0{live}-" + key.split("-")[1],
        key + "x",
        key * 200,
        "",
    ]
    for name in refused:
        assert await hook(anonymous, "on_publish", name) == 403, name
    assert await hook(anonymous, "on_publish", key, secret=None) == 403  # RTMP_HOOK_SECRET is set
    assert await hook(anonymous, "on_publish", key, secret=HOOK_SECRET[:-1]) == 403
    padded = {"call": "on_publish", "name": key, "pad": "x" * 10_000}
    too_big = await anonymous.post(f"/api/v1/rtmp/on_publish?secret={HOOK_SECRET}", data=padded, csrf=False)
    assert too_big.status_code == 413
    assert (await creator.post(f"/api/v1/streams/{live}/end")).status_code == 200
    assert await hook(anonymous, "on_publish", key) == 403  # an ended stream takes no new push
