"""Who is asking: a Bearer token for scripts, the session cookie for browsers."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import services, sessions
from shop.accounts.models import Merchant, User
from shop.accounts.principals import provide_principal
from shop.core import i18n
from shop.core.errors import AuthenticationRequired, PermissionDenied
from shop.core.security import bearer_token

_CACHE_KEY = "zc_current_user"


async def provide_current_user(request: Request[Any, Any, Any], db_session: AsyncSession) -> User | None:
    if _CACHE_KEY in request.scope:
        return request.scope[_CACHE_KEY]  # type: ignore[literal-required]
    user: User | None = None
    token = bearer_token(request)
    if token is not None:
        # The token's owner from the principal cache (no SQL while cached), then their row and shop
        # in one statement: a scripted call reads one row to know who it is, not three.
        principal = await provide_principal(request, db_session)
        user = await services.signed_in_user(db_session, principal.user_id)
        if user is None:
            raise AuthenticationRequired("That API token is not valid.")
    elif request.session.get("uid") is not None:
        # One query: the user joined with its live session row; a revoked row reads as signed out.
        user = await sessions.session_user(db_session, request.session)
        if user is None:
            request.clear_session()  # a dead record is dropped from the store, not kept alive
    request.scope[_CACHE_KEY] = user  # type: ignore[literal-required]
    if user is not None and user.locale:
        i18n.apply_user_preference(user.locale)
    return user


async def provide_user(current_user: User | None) -> User:
    if current_user is None:
        raise AuthenticationRequired()
    return current_user


async def provide_merchant(user: User) -> Merchant:
    if user.merchant is None:
        raise PermissionDenied("Only merchants can do that.")
    return user.merchant


dependencies = {
    "current_user": Provide(provide_current_user),
    "user": Provide(provide_user),
    "merchant": Provide(provide_merchant),
    # A user id without a User row, usually without SQL (cached): for hot paths (reservations).
    "principal": Provide(provide_principal),
}
