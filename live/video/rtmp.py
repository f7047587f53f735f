"""The scaled path: OBS or a hardware encoder pushes RTMP to a media server (README: Debian's nginx
with libnginx-mod-rtmp), which writes HLS; viewers fetch that HLS from it, never through this app.

When RTMP_INGEST_URL and RTMP_HLS_BASE are set, the host's console shows the server URL and the
stream's key, and can switch the stream's playback URL to the media server's playlist. The key is an
HMAC of the stream id under SECRET_KEY: nothing to store, and not guessable from the id. The media
server asks `publish_allowed` (its `on_publish` hook, README) before it takes a push: only the key of a
stream that has not ended, and, when RTMP_HOOK_SECRET is set, only from a hook URL that carries it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream, StreamStatus
from shop.core.schemas import MAX_ID, Output
from shop.settings import Settings

# What `stream_key` makes; anything else is refused before a digest is computed or a row read.
KEY_SHAPE = re.compile(r"zc([1-9][0-9]{0,15})-[0-9a-f]{24}")
KEY_MAX_CHARS = 48
OPEN = (StreamStatus.SCHEDULED.value, StreamStatus.LIVE.value)


class RtmpOut(Output):
    ingest_url: str
    stream_key: str
    playback_url: str


def stream_key(settings: Settings, stream_id: int) -> str:
    digest = hmac.new(settings.secret_key.encode(), f"rtmp:{stream_id}".encode(), hashlib.sha256).hexdigest()
    return f"zc{stream_id}-{digest[:24]}"


def rtmp_for(settings: Settings, stream_id: int) -> RtmpOut:
    if not (settings.rtmp_ingest_url and settings.rtmp_hls_base):
        raise NotFoundException("Broadcasting from an encoder is not set up on this site.")
    key = stream_key(settings, stream_id)
    return RtmpOut(
        ingest_url=settings.rtmp_ingest_url,
        stream_key=key,
        playback_url=f"{settings.rtmp_hls_base.rstrip('/')}/{key}.m3u8",
    )


def keyed_stream(settings: Settings, key: str) -> int | None:
    """The id of the stream this site made `key` for, or None: the id is read from the key, then the
    whole key is compared, in constant time, with the one this site makes for that id."""
    match = KEY_SHAPE.fullmatch(key) if len(key) <= KEY_MAX_CHARS else None
    if match is None or int(match.group(1)) > MAX_ID:
        return None
    stream_id = int(match.group(1))
    return stream_id if hmac.compare_digest(stream_key(settings, stream_id), key) else None


def hook_secret_ok(settings: Settings, given: str | None) -> bool:
    """With RTMP_HOOK_SECRET set, the media server's hook URL must carry it (`?secret=`)."""
    if not settings.rtmp_hook_secret:
        return True
    return given is not None and hmac.compare_digest(settings.rtmp_hook_secret.encode(), given.encode())


async def publish_allowed(
    session: AsyncSession, settings: Settings, key: str, secret: str | None
) -> int | None:
    """The stream a push with this key goes to, when the media server may take it (else None)."""
    stream_id = keyed_stream(settings, key) if hook_secret_ok(settings, secret) else None
    if stream_id is None:
        return None
    status = await session.scalar(select(Stream.status).where(Stream.id == stream_id))
    return stream_id if status in OPEN else None
