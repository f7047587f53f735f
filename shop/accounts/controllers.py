"""Accounts JSON API: register, sign in and out, me, API tokens, profiles and follows."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import services
from shop.accounts.models import User
from shop.accounts.schemas import (
    LoginIn,
    MeOut,
    MerchantRef,
    ProfileOut,
    RegisterIn,
    TokenIn,
    TokenOut,
)
from shop.cart.deps import clear_cart_cookie, guest_token
from shop.cart.services import merge_guest_cart
from shop.core.ratelimit import AttemptCounter
from shop.core.security import rotate_session
from shop.notifications.services import Notifier
from shop.settings import Settings


def me_out(user: User) -> MeOut:
    merchant = MerchantRef(id=user.merchant.id, name=user.merchant.name) if user.merchant else None
    return MeOut(
        id=user.id, email=user.email, display_name=user.display_name, role=user.role, merchant=merchant
    )


async def sign_in(request: Request[Any, Any, Any], db: AsyncSession, user: User) -> None:
    """Start a session under a fresh id (no fixation) and fold the guest cart into the account."""
    await merge_guest_cart(db, guest_token(request), user)
    request.set_session({"uid": user.id})
    rotate_session(request)


async def check_credentials(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    attempts: AttemptCounter,
    settings: Settings,
    data: LoginIn,
) -> User:
    client_ip = request.client.host if request.client else "unknown"
    return await services.authenticate(
        db,
        attempts,
        data.email,
        data.password,
        client_ip,
        per_account=settings.login_failures_per_account,
        per_ip=settings.login_failures_per_ip,
        window_s=settings.login_failure_window_s,
    )


class AuthController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/auth/register", status_code=HTTP_201_CREATED)
    async def register(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: RegisterIn
    ) -> Response[MeOut]:
        user = await services.register(db_session, data)
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
    async def logout(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        request.clear_session()
        return {"ok": True}

    @get("/me")
    async def me(self, user: User) -> MeOut:
        return me_out(user)

    @post("/auth/tokens", status_code=HTTP_201_CREATED)
    async def create_token(self, db_session: AsyncSession, user: User, data: TokenIn) -> TokenOut:
        token = await services.create_api_token(db_session, user, data.name)
        return TokenOut(token=token, name=data.name)


class ProfileController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]

    @get("/{user_id:int}")
    async def profile(self, db_session: AsyncSession, current_user: User | None, user_id: int) -> ProfileOut:
        target = await services.get_user(db_session, user_id)
        following = await services.is_following(db_session, current_user, target.id)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": following})

    @post("/{user_id:int}/follow", status_code=HTTP_200_OK)
    async def follow(
        self, db_session: AsyncSession, user: User, notifier: Notifier, user_id: int
    ) -> ProfileOut:
        target = await services.set_follow(db_session, user, user_id, on=True, notifier=notifier)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": True})

    @delete("/{user_id:int}/follow", status_code=HTTP_200_OK)
    async def unfollow(self, db_session: AsyncSession, user: User, user_id: int) -> ProfileOut:
        target = await services.set_follow(db_session, user, user_id, on=False)
        return ProfileOut.model_validate(target).model_copy(update={"is_following": False})
