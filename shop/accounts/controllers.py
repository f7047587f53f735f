"""Accounts JSON API: register, sign in and out, me, API tokens, profiles and follows."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import onboarding, profiles, services
from shop.accounts.models import User
from shop.accounts.schemas import (
    ApiTokenOut,
    ApiTokenPage,
    LoginIn,
    MeOut,
    ProfileIn,
    ProfileOut,
    RegisterIn,
    SuggestedPage,
    TokenIn,
    TokenOut,
    me_out,
    suggestion_out,
)
from shop.accounts.signin import check_credentials, sign_in, sign_out, sign_up
from shop.cart.deps import clear_cart_cookie
from shop.core.ratelimit import AttemptCounter
from shop.core.schemas import RowId
from shop.notifications.services import Notifier
from shop.settings import Settings


class AuthController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/auth/register", status_code=HTTP_201_CREATED)
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        data: RegisterIn,
    ) -> Response[MeOut]:
        user = await sign_up(request, db_session, attempts, settings, data)
        await sign_in(request, db_session, user)
        return Response(me_out(user), status_code=HTTP_201_CREATED, cookies=[clear_cart_cookie()])

    @post("/auth/login", status_code=HTTP_200_OK)
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        data: LoginIn,
    ) -> Response[MeOut]:
        user = await check_credentials(request, db_session, attempts, settings, data)
        await sign_in(request, db_session, user)
        return Response(me_out(user), cookies=[clear_cart_cookie()])

    @post("/auth/logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> dict[str, bool]:
        await sign_out(request, db_session)
        return {"ok": True}

    @get("/me")
    async def me(self, user: User) -> MeOut:
        return me_out(user)

    @patch("/me")
    async def update_me(self, db_session: AsyncSession, user: User, data: ProfileIn) -> MeOut:
        return me_out(await profiles.update_profile(db_session, user, data))

    @post("/auth/tokens", status_code=HTTP_201_CREATED)
    async def create_token(self, db_session: AsyncSession, user: User, data: TokenIn) -> TokenOut:
        token, row = await services.create_api_token(db_session, user, data.name, data.expires_in_days)
        return TokenOut(token=token, name=data.name, expires_at=row.expires_at)

    @get("/auth/tokens")
    async def list_tokens(self, db_session: AsyncSession, user: User) -> ApiTokenPage:
        # Only the digest is stored: the secret itself can never be shown again.
        rows = await services.list_api_tokens(db_session, user)
        return ApiTokenPage(items=[ApiTokenOut.model_validate(row) for row in rows])

    @delete("/auth/tokens/{token_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def revoke_token(self, db_session: AsyncSession, user: User, token_id: RowId) -> None:
        await services.revoke_api_token(db_session, user, token_id)


class ProfileController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]

    @get("/suggested")
    async def suggested(
        self, db_session: AsyncSession, user: User, limit: Annotated[int, Parameter(ge=1, le=30)] = 12
    ) -> SuggestedPage:
        """Creators to follow, ranked by notes in the caller's interests, then by followers."""
        found = await onboarding.suggested_creators(db_session, user, limit)
        return SuggestedPage(items=[suggestion_out(s) for s in found])

    @get("/{user_id:int}")
    async def profile(
        self, db_session: AsyncSession, current_user: User | None, user_id: RowId
    ) -> ProfileOut:
        target = await services.get_user(db_session, user_id)
        following = await services.is_following(db_session, current_user, target.id)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": following})

    @post("/{user_id:int}/follow", status_code=HTTP_200_OK)
    async def follow(
        self, db_session: AsyncSession, user: User, notifier: Notifier, user_id: RowId
    ) -> ProfileOut:
        target = await services.set_follow(db_session, user, user_id, on=True, notifier=notifier)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": True})

    @delete("/{user_id:int}/follow", status_code=HTTP_200_OK)
    async def unfollow(self, db_session: AsyncSession, user: User, user_id: RowId) -> ProfileOut:
        target = await services.set_follow(db_session, user, user_id, on=False)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": False})
