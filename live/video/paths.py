"""Where a stream's video lives (`media/live/{stream_id}/`) and which names in it may be served."""

from __future__ import annotations

import re
from pathlib import Path

PLAYLIST = "index.m3u8"
SEGMENT_PATTERN = "seg_%05d.ts"  # ffmpeg's pattern: seg_00000.ts, seg_00001.ts, …
ENDLIST = "#EXT-X-ENDLIST"
_SERVABLE = re.compile(r"(index\.m3u8|seg_\d{5,9}\.ts)")


def stream_folder(media_dir: Path, stream_id: int) -> Path:
    return media_dir / "live" / str(stream_id)


def playlist_url(stream_id: int) -> str:
    return f"/live/{stream_id}/video/{PLAYLIST}"


def servable(media_dir: Path, stream_id: int, name: str) -> Path | None:
    """The file `name` names in the stream's folder, or None: a name outside the playlist's own
    pattern (`..`, slashes, encoded tricks, any other file) is never opened, and the
    resolved path must still be inside the folder (a symlink planted there does not lead out)."""
    if not _SERVABLE.fullmatch(name):
        return None
    folder = stream_folder(media_dir, stream_id).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def is_closed(playlist: Path) -> bool:
    """Whether the recording is finished (a VOD playlist): its last line is the end tag."""
    try:
        with playlist.open("rb") as file:
            file.seek(max(0, playlist.stat().st_size - 64))
            return ENDLIST.encode() in file.read()
    except FileNotFoundError:
        return False


def close_playlist(playlist: Path) -> bool:
    """Append the end tag once (the encoder writes with `omit_endlist`, so a dropped connection or a
    restarted encoder never ends the recording by accident). False if there is no playlist."""
    if not playlist.is_file():
        return False
    if not is_closed(playlist):
        with playlist.open("a") as file:
            file.write(ENDLIST + "\n")
    return True
