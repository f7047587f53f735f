"""Recordings after their stream: close the playlist of an ended stream (the replay plays it as a
finished video even if the host's console never said `end`), and delete recordings older than
RECORDING_RETENTION_DAYS (the stream's playback URL is cleared with them)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live.models import Stream, StreamStatus
from live.video import paths
from shop.core import clock

log = logging.getLogger("zhongcao.video")
SWEEP_EVERY_S = 600.0


async def sweep(
    sessions: async_sessionmaker[AsyncSession],
    media_dir: Path,
    retention_days: int,
    publishing: Callable[[int], bool],
) -> list[int]:
    """One pass; returns the streams whose recordings were deleted."""
    root = media_dir / "live"
    folders = {int(p.name): p for p in root.iterdir() if p.name.isdigit()} if root.is_dir() else {}
    if not folders:
        return []
    async with sessions() as db:
        rows = {
            r.id: r
            for r in await db.execute(
                select(Stream.id, Stream.status, Stream.ended_at).where(Stream.id.in_(list(folders)))
            )
        }
    cutoff = clock.now() - timedelta(days=retention_days)
    expired = []
    for stream_id, folder in folders.items():
        row = rows.get(stream_id)
        if row is not None and (row.status != StreamStatus.ENDED or publishing(stream_id)):
            continue
        if row is None or (row.ended_at is not None and row.ended_at < cutoff):
            shutil.rmtree(folder, ignore_errors=True)
            expired.append(stream_id)
        else:
            paths.close_playlist(folder / paths.PLAYLIST)
    if expired:
        async with sessions() as db, db.begin():
            for stream_id in expired:
                await db.execute(
                    update(Stream)
                    .where(Stream.id == stream_id, Stream.playback_url == paths.playlist_url(stream_id))
                    .values(playback_url=None)
                )
    return expired


async def run_forever(
    sessions: async_sessionmaker[AsyncSession],
    media_dir: Path,
    retention_days: int,
    publishing: Callable[[int], bool],
) -> None:
    while True:
        try:
            await sweep(sessions, media_dir, retention_days, publishing)
        except Exception:
            log.exception("the recordings sweep failed; the next pass will try again")
        await asyncio.sleep(SWEEP_EVERY_S)
