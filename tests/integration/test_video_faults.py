"""The ingest socket's bad input and faults (issue 16): strangers, non-WebM and oversized chunks, an
encoder killed mid-stream, a full disk, two devices on one stream, a dropped connection, and names
that try to leave a stream's media folder."""

# `settings` (a media folder per test) and `clip` are the ingest test's fixtures, imported so
# pytest finds them here: test arguments of the same name are them, not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from litestar import Litestar
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from live.video import paths
from live.video.ingest import slots_of
from shop.settings import Settings
from tests.helpers import Client

# The per-test media folder (`settings`) and the 6 s clip are the ingest test's fixtures.
from tests.integration.test_video_ingest import clip, new_stream, settings  # noqa: F401
from tests.video_helpers import chunks, cookie_of, decodes, ingest_url, messages_until, segments_of


async def closed_with(ws: object) -> tuple[int, str]:
    """The close frame the server sent, after reading whatever came before it."""
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(_drain(ws), 20)
    frame = closed.value.rcvd
    return (frame.code, frame.reason) if frame else (1006, "")


async def _drain(ws: object) -> None:
    while True:
        await ws.recv()  # type: ignore[attr-defined]


async def test_only_the_host_may_publish_and_a_foreign_origin_is_refused(
    creator: Client, other_creator_or_shopper: list[Client], served: str
) -> None:
    stream_id = await new_stream(creator)
    for stranger in other_creator_or_shopper:
        async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(stranger)) as ws:
            assert await closed_with(ws) == (4404, "no such stream")
    async with connect(ingest_url(served, 999_999), additional_headers=cookie_of(creator)) as ws:
        assert await closed_with(ws) == (4404, "no such stream")
    forged = {**cookie_of(creator), "Origin": "https://evil.example"}
    with pytest.raises(InvalidStatus):
        await connect(ingest_url(served, stream_id), additional_headers=forged)


@pytest.fixture
def other_creator_or_shopper(anonymous: Client, shopper: Client, other_merchant: Client) -> list[Client]:
    return [anonymous, shopper, other_merchant]


async def test_chunks_that_are_not_webm_or_too_large_are_refused_with_a_reason(
    creator: Client, served: str, clip: bytes
) -> None:
    stream_id = await new_stream(creator)
    headers = cookie_of(creator)
    async with connect(ingest_url(served, stream_id), additional_headers=headers) as ws:
        await messages_until(ws, "state")
        await ws.send(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))  # an MP4, not WebM
        error = (await messages_until(ws, "error"))[-1]
        assert error["code"] == "not_webm"
        assert await closed_with(ws) == (1003, "not_webm")
    async with connect(ingest_url(served, stream_id), additional_headers=headers) as ws:
        await messages_until(ws, "state")
        await ws.send(clip[:1000] + bytes(3 * 1024 * 1024))  # over VIDEO_CHUNK_MAX_BYTES (2 MB)
        assert (await messages_until(ws, "error"))[-1]["code"] == "too_large"
        assert await closed_with(ws) == (1009, "too_large")
    # 50 MB: the server (uvicorn's ws_max_size, 16 MB) refuses the frame before the app reads it.
    async with connect(ingest_url(served, stream_id), additional_headers=headers, max_size=None) as ws:
        await messages_until(ws, "state")
        await ws.send(bytes(50 * 1024 * 1024))
        assert (await closed_with(ws))[0] == 1009


async def test_a_killed_encoder_restarts_the_host_is_told_and_the_playlist_goes_on(
    creator: Client, anonymous: Client, served: str, clip: bytes, app: Litestar, settings: Settings
) -> None:
    stream_id = await new_stream(creator)
    parts = chunks(clip)
    half = len(parts) // 2
    async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
        for chunk in parts[:half]:
            await ws.send(chunk)
        await messages_until(ws, "state")  # connecting
        await messages_until(ws, "state")  # live
        publisher = slots_of(app.state, settings)._slots[stream_id].publisher
        assert publisher is not None
        assert publisher.encoder is not None
        first_pid = publisher.encoder.pid
        playlist_file = paths.stream_folder(settings.media_dir, stream_id) / paths.PLAYLIST
        for _ in range(400):  # the first encoder has listed a segment before it dies (20 s at most)
            if playlist_file.exists() and segments_of(playlist_file.read_text()):
                break
            await asyncio.sleep(0.05)
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        await publisher.encoder.wait()
        for chunk in parts[half:]:
            await ws.send(chunk)
        restarted = (await messages_until(ws, "restarted"))[-1]
        assert restarted["type"] == "restarted"
        assert "goes on" in restarted["message"]
        assert publisher.encoder.pid != first_pid
        await ws.send('{"type": "end"}')
        assert (await messages_until(ws, "state"))[-1]["state"] == "ended"
    playlist = (await anonymous.get(paths.playlist_url(stream_id))).text
    assert "#EXT-X-DISCONTINUITY" in playlist.split(segments_of(playlist)[0], 1)[1]  # after the first
    assert playlist.count("#EXT-X-ENDLIST") == 1
    folder = paths.stream_folder(settings.media_dir, stream_id)
    assert all(decodes(folder / name) for name in segments_of(playlist)[-2:])  # made after the restart


async def test_a_full_disk_stops_the_broadcast_and_tells_the_host(
    creator: Client, served: str, clip: bytes, settings: Settings
) -> None:
    # The free-space floor is checked against the real filesystem (statvfs); a floor above what
    # this disk has free is a disk that is full as far as ingest is concerned.
    settings.video_min_free_bytes = 2**62
    stream_id = await new_stream(creator)
    async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
        await ws.send(chunks(clip)[0])
        error = (await messages_until(ws, "error"))[-1]
        assert error["code"] == "disk_full"
        assert await closed_with(ws) == (4507, "disk_full")
    assert not (paths.stream_folder(settings.media_dir, stream_id) / paths.PLAYLIST).exists()


async def test_a_second_device_is_refused_and_the_same_device_reconnects_into_the_same_playlist(
    creator: Client, anonymous: Client, served: str, clip: bytes
) -> None:
    stream_id = await new_stream(creator)
    parts, headers = chunks(clip), cookie_of(creator)
    phone = ingest_url(served, stream_id, "phone-11111111")
    async with connect(phone, additional_headers=headers) as first:
        for chunk in parts[: len(parts) // 2]:
            await first.send(chunk)
        await messages_until(first, "state")
        await messages_until(first, "state")
        async with connect(
            ingest_url(served, stream_id, "laptop-2222222"), additional_headers=headers
        ) as second:
            assert await closed_with(second) == (4409, "another device is publishing this stream")
        # The phone's network drops (its old socket is not even closed yet): it comes back at once.
        async with connect(phone, additional_headers=headers) as again:
            assert (await messages_until(again, "state"))[-1]["state"] == "connecting"
            assert (await closed_with(first))[0] == 4000
            for chunk in parts:  # a new MediaRecorder: a new WebM header
                await again.send(chunk)
            await messages_until(again, "state")
            await again.send('{"type": "end"}')
            assert (await messages_until(again, "state"))[-1]["state"] == "ended"
    playlist = (await anonymous.get(paths.playlist_url(stream_id))).text
    names = segments_of(playlist)
    assert names == sorted(names)
    assert len(names) == len(set(names))
    durations = [float(line[8:].rstrip(",")) for line in playlist.splitlines() if line.startswith("#EXTINF:")]
    assert sum(durations) > 6.5  # the first half and the whole clip again: the stream went on


async def test_a_name_that_leaves_the_media_folder_is_404(
    creator: Client, anonymous: Client, served: str, clip: bytes, settings: Settings
) -> None:
    stream_id = await new_stream(creator)
    async with connect(ingest_url(served, stream_id), additional_headers=cookie_of(creator)) as ws:
        for chunk in chunks(clip):
            await ws.send(chunk)
        await ws.send('{"type": "end"}')
        await closed_with(ws)
    folder = paths.stream_folder(settings.media_dir, stream_id)
    secret = settings.var_dir / "secret.ts"
    secret.write_text("not a video")
    (folder / "seg_99999.ts").symlink_to(secret)
    (folder / "notes.txt").write_text("not a video")
    base = f"/live/{stream_id}/video/"
    assert (await anonymous.get(base + paths.PLAYLIST)).status_code == 200
    for name in (
        "../../../secret.ts",
        "..%2F..%2F..%2Fsecret.ts",
        "%2e%2e/%2e%2e/%2e%2e/secret.ts",
        "seg_99999.ts",  # a link planted in the folder that points out of it
        "notes.txt",  # in the folder, but not a name the player needs
        "/etc/passwd",
    ):
        answer = await anonymous.get(base + name)
        assert answer.status_code == 404, name
        assert b"not a video" not in answer.content
    assert (await anonymous.get(f"/live/{stream_id + 1}/video/{paths.PLAYLIST}")).status_code == 404
