"""The playlist and segments of a stream, served by the app (the embedded mode's only media server).

The playlist changes every segment, so it is never cached; a segment never changes once listed.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.response import File

from live.video import paths
from shop.core.schemas import RowId
from shop.settings import Settings

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


class VideoFiles(Controller):
    path = "/live/{stream_id:int}/video"
    include_in_schema = False

    @get("/{name:path}")
    async def video_file(self, stream_id: RowId, name: str, settings: Settings) -> File:
        path = paths.servable(settings.media_dir, stream_id, name.lstrip("/"))
        if path is None:
            raise NotFoundException("No such video file.")
        if path.name == paths.PLAYLIST:
            return File(
                path,
                media_type=PLAYLIST_TYPE,
                content_disposition_type="inline",
                headers={"Cache-Control": "no-cache"},
            )
        return File(
            path,
            media_type="video/mp2t",
            content_disposition_type="inline",
            headers={"Cache-Control": "public, max-age=86400, immutable"},
        )
