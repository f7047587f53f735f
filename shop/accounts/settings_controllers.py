"""The signed-in user's own account over JSON: profile, avatar, password, sessions, interests."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import onboarding, profiles, sessions
from shop.accounts.models import User
from shop.accounts.profiles import read_image
from shop.accounts.schemas import (
    InterestsIn,
    InterestsOut,
    MeOut,
    PasswordChangedOut,
    PasswordIn,
    SessionPage,
    me_out,
)
from shop.accounts.sessions import session_out
from shop.accounts.signin import current_session_id
from shop.core.ratelimit import AttemptCounter
from shop.core.schemas import RowId
from shop.core.storage import ImageStore
from shop.settings import Settings

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @post("/avatar", status_code=HTTP_200_OK)
    async def avatar(
        self, db_session: AsyncSession, user: User, image_store: ImageStore, data: Multipart
    ) -> MeOut:
        return me_out(await profiles.set_avatar(db_session, image_store, user, await read_image(data)))

    @delete("/avatar", status_code=HTTP_200_OK)
    async def remove_avatar(self, db_session: AsyncSession, user: User) -> MeOut:
        return me_out(await profiles.clear_avatar(db_session, user))

    @post("/password", status_code=HTTP_200_OK)
    async def password(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        user: User,
        data: PasswordIn,
    ) -> PasswordChangedOut:
        signed_out = await profiles.change_password(
            db_session,
            attempts,
            user,
            data,
            keep_session_id=current_session_id(request),
            max_failures=settings.login_failures_per_account,
            window_s=settings.login_failure_window_s,
        )
        return PasswordChangedOut(signed_out_sessions=signed_out)

    @get("/sessions")
    async def sessions(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: User
    ) -> SessionPage:
        rows = await sessions.active_sessions(db_session, user)
        current = current_session_id(request)
        return SessionPage(items=[session_out(row, current) for row in rows])

    @delete("/sessions/{session_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def revoke_session(self, db_session: AsyncSession, user: User, session_id: RowId) -> None:
        await sessions.revoke(db_session, user, session_id)

    @post("/sessions/sign-out-others", status_code=HTTP_200_OK)
    async def revoke_other_sessions(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: User
    ) -> dict[str, int]:
        count = await sessions.revoke_others(db_session, user, current_session_id(request))
        return {"signed_out_sessions": count}

    @get("/interests")
    async def interests(self, db_session: AsyncSession, user: User) -> InterestsOut:
        return InterestsOut(
            topics=await onboarding.interests(db_session, user),
            popular=await onboarding.popular_topics(db_session),
        )

    @put("/interests")
    async def set_interests(self, db_session: AsyncSession, user: User, data: InterestsIn) -> InterestsOut:
        topics = await onboarding.set_interests(db_session, user, data.topics)
        return InterestsOut(topics=topics, popular=await onboarding.popular_topics(db_session))
