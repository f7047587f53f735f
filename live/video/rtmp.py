"""The scaled path: OBS or a hardware encoder pushes RTMP to a media server (README: Debian's nginx
with libnginx-mod-rtmp), which writes HLS; viewers fetch that HLS from it, never through this app.

When RTMP_INGEST_URL and RTMP_HLS_BASE are set, the host's console shows the server URL and the
stream's key, and can switch the stream's playback URL to the media server's playlist. The key is an
HMAC of the stream id under SECRET_KEY: nothing to store, and not guessable from the id (the media
server's `on_publish` hook can check it; README).
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.exceptions import NotFoundException

from shop.core.schemas import Output
from shop.settings import Settings


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
