"""Video routes: the playlist and segments of a stream, served by the app (the embedded mode's only
media server), and the host's RTMP details for the scaled path (live/video/rtmp.py).

The playlist changes every segment, so it is never cached; a segment never changes once listed.
"""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import File
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.video import paths
from live.video.rtmp import RtmpOut, rtmp_for
from shop.accounts.models import User
from shop.core.schemas import RowId
from shop.settings import Settings

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


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
