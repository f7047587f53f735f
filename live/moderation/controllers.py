"""Moderation API: a stream's console (host or moderator; anyone else gets 404) and the host's
own lists (blocks, keywords). Room events are published after the commit."""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, post, put
from litestar.channels import ChannelsPlugin
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from live import services
from live.broadcast import publish
from live.moderation import keywords, log, messages
from live.moderation import services as moderation
from live.moderation.schemas import (
    BlockIn,
    ChatSettingsIn,
    ChatSettingsOut,
    KeywordsIn,
    KeywordsOut,
    MuteIn,
    MuteOut,
)
from shop.accounts.models import User
from shop.core.schemas import Limit, RowId


class StreamModerationController(Controller):
    path = "/api/v1/streams/{stream_id:int}"
    tags = ["live"]

    @delete("/chat/{seq:int}")
    async def delete_chat(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId, seq: RowId
    ) -> None:
        stream = await services.hosted_stream(db_session, user, stream_id)
        await publish(db_session, channels, stream, await messages.delete_chat(db_session, stream, user, seq))

    @post("/mutes", status_code=HTTP_201_CREATED)
    async def mute(
        self, db_session: AsyncSession, user: User, channels: ChannelsPlugin, stream_id: RowId, data: MuteIn
    ) -> MuteOut:
        stream = await services.hosted_stream(db_session, user, stream_id)
        body, events = await moderation.mute(
            db_session, stream, user, data.user_id, data.duration, data.remove_messages
        )
        await publish(db_session, channels, stream, *events)
        return MuteOut(**body)

    @delete("/mutes/{user_id:int}")
    async def unmute(self, db_session: AsyncSession, user: User, stream_id: RowId, user_id: RowId) -> None:
        stream = await services.hosted_stream(db_session, user, stream_id)
        await moderation.unmute(db_session, stream, user, user_id)

    @post("/blocks", status_code=HTTP_201_CREATED)
    async def block(
        self, db_session: AsyncSession, user: User, stream_id: RowId, data: BlockIn
    ) -> dict[str, int]:
        """A moderator blocks on the host's behalf, from the stream's console."""
        stream = await services.hosted_stream(db_session, user, stream_id)
        await moderation.block(db_session, stream.host_id, user, data.user_id, stream)
        return {"user_id": data.user_id, "host_id": stream.host_id}

    @put("/chat-settings", status_code=HTTP_200_OK)
    async def chat_settings(
        self,
        db_session: AsyncSession,
        user: User,
        channels: ChannelsPlugin,
        stream_id: RowId,
        data: ChatSettingsIn,
    ) -> ChatSettingsOut:
        stream = await services.hosted_stream(db_session, user, stream_id)
        event = await messages.set_settings(db_session, stream, user, data.slow_mode_s, data.comments_off)
        await publish(db_session, channels, stream, event)
        return ChatSettingsOut(**messages.settings_of(stream))

    @delete("/moderators/{user_id:int}")
    async def remove_moderator(
        self, db_session: AsyncSession, user: User, stream_id: RowId, user_id: RowId
    ) -> None:
        stream = await services.hosted_stream(db_session, user, stream_id, host_only=True)
        await moderation.remove_moderator(db_session, stream, user, user_id)

    @get("/moderation-log")
    async def moderation_log(
        self, db_session: AsyncSession, user: User, stream_id: RowId, limit: Limit = None
    ) -> list[dict[str, Any]]:
        stream = await services.hosted_stream(db_session, user, stream_id)
        return await log.entries(db_session, stream, limit or 100)


class LiveModerationController(Controller):
    """The signed-in user's lists as a host: they apply to every stream they host."""

    path = "/api/v1/live"
    tags = ["live"]

    @get("/blocks")
    async def blocks(self, db_session: AsyncSession, user: User) -> list[dict[str, Any]]:
        return await moderation.blocks(db_session, user.id)

    @post("/blocks", status_code=HTTP_201_CREATED)
    async def block(self, db_session: AsyncSession, user: User, data: BlockIn) -> dict[str, int]:
        await moderation.block(db_session, user.id, user, data.user_id, None)
        return {"user_id": data.user_id, "host_id": user.id}

    @delete("/blocks/{user_id:int}")
    async def unblock(self, db_session: AsyncSession, user: User, user_id: RowId) -> None:
        await moderation.unblock(db_session, user, user_id)

    @get("/keywords")
    async def keywords(self, db_session: AsyncSession, user: User) -> KeywordsOut:
        return KeywordsOut(words=await keywords.words_of(db_session, user.id))

    @put("/keywords", status_code=HTTP_200_OK)
    async def set_keywords(self, db_session: AsyncSession, user: User, data: KeywordsIn) -> KeywordsOut:
        words = await keywords.set_words(db_session, user.id, data.words)
        await log.record(db_session, user, "keywords", host_id=user.id, count=len(words))
        return KeywordsOut(words=words)


CONTROLLERS = [StreamModerationController, LiveModerationController]
