"""Video routes: the playlist and segments of a stream, served by the app (the embedded mode's only
media server), the host's RTMP details for the scaled path (live/video/rtmp.py), and the hooks the
media server calls before and after an encoder's push.

The playlist changes every segment, so it is never cached; a segment never changes once listed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from litestar.response import File
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.video import paths
from live.video.rtmp import RtmpOut, keyed_stream, publish_allowed, rtmp_for
from shop.accounts.models import User
from shop.core.errors import PermissionDenied
from shop.core.schemas import RowId
from shop.settings import Settings

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
# nginx-rtmp's notify form (call, app, name, addr, tcurl, ... and the encoder's URL arguments).
HookForm = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
HookSecret = Annotated[str | None, Parameter(max_length=200)]  # the hook URL's `?secret=`
HOOK_MAX_BYTES = 8 * 1024

log = logging.getLogger("zhongcao.video")


class VideoFiles(Controller):
    path = "/live/{stream_id:int}/video"
    include_in_schema = False

    @get("/{name:path}")
    async def video_file(self, stream_id: RowId, name: str, settings: Settings) -> File | Response[bytes]:
        path = paths.servable(settings.media_dir, stream_id, name.lstrip("/"))
        if path is None:
            raise NotFoundException("No such video file.")
        if path.name == paths.PLAYLIST:
            # Read whole, not streamed: ffmpeg rewrites the playlist every segment, and a length taken
            # before it is replaced would not match the bytes read after.
            body = await asyncio.to_thread(path.read_bytes)
            return Response(body, media_type=PLAYLIST_TYPE, headers={"Cache-Control": "no-cache"})
        return File(
            path,
            media_type="video/mp2t",
            content_disposition_type="inline",
            headers={"Cache-Control": "public, max-age=86400, immutable"},
        )


class RtmpController(Controller):
    path = "/api/v1/streams/{stream_id:int}/rtmp"
    tags = ["live"]

    @get("/")
    async def show(
        self, db_session: AsyncSession, user: User, settings: Settings, stream_id: RowId
    ) -> RtmpOut:
        """The encoder's server URL and this stream's key (the host only; 404 when not set up)."""
        stream = await services.hosted_stream(db_session, user, stream_id, host_only=True)
        return rtmp_for(settings, stream.id)

    @post("/use", status_code=HTTP_200_OK)
    async def use(
        self, db_session: AsyncSession, user: User, settings: Settings, stream_id: RowId
    ) -> RtmpOut:
        """Viewers watch the media server's playlist (until the host broadcasts from the console)."""
        stream = await services.hosted_stream(db_session, user, stream_id, host_only=True)
        found = rtmp_for(settings, stream.id)
        stream.playback_url = found.playback_url
        return found


class RtmpHookController(Controller):
    """Called by the media server, not a browser: no session and no CSRF token (shop/app.py exempts
    the path); the stream key, and RTMP_HOOK_SECRET when set, are the credentials. nginx-rtmp takes
    the push on a 2xx and drops the encoder on anything else."""

    path = "/api/v1/rtmp"
    include_in_schema = False

    @post("/on_publish", status_code=HTTP_200_OK, request_max_body_size=HOOK_MAX_BYTES)
    async def on_publish(
        self, data: HookForm, db_session: AsyncSession, settings: Settings, secret: HookSecret = None
    ) -> Response[None]:
        stream_id = await publish_allowed(db_session, settings, data.get("name", ""), secret)
        if stream_id is None:
            log.info("refused an RTMP push from %r", data.get("addr", "?")[:64])
            raise PermissionDenied()
        log.info("stream %s: the media server takes an RTMP push", stream_id)
        return Response(None, status_code=HTTP_200_OK)

    @post("/on_publish_done", status_code=HTTP_200_OK, request_max_body_size=HOOK_MAX_BYTES)
    async def on_publish_done(self, data: HookForm, settings: Settings) -> Response[None]:
        """Logged only: the host still ends the stream from the console."""
        stream_id = keyed_stream(settings, data.get("name", ""))
        if stream_id is not None:
            log.info("stream %s: the RTMP push ended", stream_id)
        return Response(None, status_code=HTTP_200_OK)
