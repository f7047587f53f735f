"""Publishing room events: shared by every live controller that changes a room."""

from __future__ import annotations

from typing import Any

from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.models import Stream


async def publish(
    db: AsyncSession, channels: ChannelsPlugin, stream: Stream, *messages: dict[str, Any] | None
) -> None:
    """Commit first: a viewer must never see an event that is then rolled back."""
    await db.commit()
    for message in messages:
        if message is not None:
            channels.publish(message, services.channel_name(stream.id))
