"""OBS or a hardware encoder through a real media server (issue 16): Debian's nginx with its RTMP
module, set up as the README says, asks the app's `on_publish` hook before taking a push; the stream's
own key goes through and becomes an HLS playlist of decodable segments on nginx's http side, which
"viewers watch the encoder" points the room at; a wrong key, or an ended stream's, is refused."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from shop.settings import Settings
from tests.helpers import Client
from tests.integration.test_video_ingest import new_stream
from tests.rtmp_helpers import MediaServer, push, require_nginx_rtmp
from tests.video_helpers import decodes, segments_of

HOOK_SECRET = "nginx-hook-secret"


@pytest.fixture
def media(tmp_path: Path) -> MediaServer:
    require_nginx_rtmp()
    return MediaServer.on_free_ports(tmp_path)


@pytest.fixture
def settings(base_settings: Settings, media: MediaServer) -> Settings:
    update = {
        "redis_prefix": f"zc-nginx-{media.rtmp_port}",
        "rtmp_ingest_url": media.ingest_url,
        "rtmp_hls_base": media.hls_base,
        "rtmp_hook_secret": HOOK_SECRET,
    }
    return base_settings.model_copy(update=update)


async def playlist_while_pushing(nginx: httpx.AsyncClient, url: str, pushing: asyncio.Task[Any]) -> str:
    """The playlist as soon as it lists a segment: while the encoder still pushes, as viewers see it."""
    for _ in range(100):
        answer = await nginx.get(url)
        if answer.status_code == 200 and segments_of(answer.text):
            assert not pushing.done(), "the playlist appeared only after the push"
            return answer.text
        await asyncio.sleep(0.1)
    raise AssertionError(f"no playlist at {url}: {pushing}")


async def assert_playable(nginx: httpx.AsyncClient, media: MediaServer, url: str, tmp_path: Path) -> None:
    playlist = (await nginx.get(url)).text
    durations = [float(line[8:].rstrip(",")) for line in playlist.splitlines() if line.startswith("#EXTINF:")]
    assert 3.0 <= sum(durations) <= 5.0, playlist
    for name in segments_of(playlist):
        segment = await nginx.get(f"{media.hls_base}/{name}")
        assert segment.status_code == 200
        assert segment.headers["content-type"] == "video/mp2t"
        saved = tmp_path / f"got-{name}"
        saved.write_bytes(segment.content)
        assert decodes(saved), name


async def test_an_encoder_pushes_its_key_through_nginx_rtmp_and_viewers_get_its_hls(
    creator: Client, shopper: Client, served: str, media: MediaServer, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="zhongcao.video")
    stream_id = await new_stream(creator)
    shown = (await creator.get(f"/api/v1/streams/{stream_id}/rtmp")).json()
    key, playlist_url = shown["stream_key"], shown["playback_url"]
    assert playlist_url == f"{media.hls_base}/{key}.m3u8"
    with media.running(served, f"?secret={HOOK_SECRET}"):
        async with httpx.AsyncClient(timeout=5) as nginx:
            pushing = asyncio.create_task(push(f"{shown['ingest_url']}/{key}", seconds=4))
            assert (await playlist_while_pushing(nginx, playlist_url, pushing)).startswith("#EXTM3U")
            code, said = await pushing
            assert code == 0, said + media.error_log()
            await assert_playable(nginx, media, playlist_url, tmp_path)
            assert (await creator.post(f"/api/v1/streams/{stream_id}/rtmp/use")).status_code == 200
            watched = (await shopper.get(f"/api/v1/streams/{stream_id}")).json()["playback_url"]
            assert watched == playlist_url
            assert f'data-src="{playlist_url}"' in (await shopper.get(f"/live/{stream_id}")).text

            wrong = f"zc{stream_id}-" + "0" * 24
            code, said = await push(f"{shown['ingest_url']}/{wrong}", seconds=2)
            assert code != 0, said
            assert (await nginx.get(f"{media.hls_base}/{wrong}.m3u8")).status_code == 404
            assert not list(media.hls_dir.glob(f"{wrong}*"))

            assert (await creator.post(f"/api/v1/streams/{stream_id}/end")).status_code == 200
            written = (media.hls_dir / f"{key}.m3u8").stat().st_mtime_ns
            code, said = await push(f"{shown['ingest_url']}/{key}", seconds=2)
            assert code != 0, said  # an ended stream's key no longer publishes
            assert (media.hls_dir / f"{key}.m3u8").stat().st_mtime_ns == written
    said_by_hooks = [r.getMessage() for r in caplog.records if r.name == "zhongcao.video"]
    assert sum("takes an RTMP push" in line for line in said_by_hooks) == 1
    assert sum("the RTMP push ended" in line for line in said_by_hooks) == 1
    assert sum("refused an RTMP push" in line for line in said_by_hooks) == 2  # refused by the app's hook
