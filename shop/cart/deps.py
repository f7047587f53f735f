"""The guest-cart cookie and the navigation context every page shows."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.cart import services
from shop.notifications import services as notifications

CART_COOKIE = "zc_cart"


def guest_token(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(CART_COOKIE) or None


def cart_cookie(token: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=CART_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=60 * 24 * 3600,
        path="/",
    )


def clear_cart_cookie() -> Cookie:
    return Cookie(key=CART_COOKIE, value="", max_age=0, expires=0, path="/")


async def provide_nav(
    request: Request[Any, Any, Any], db_session: AsyncSession, current_user: User | None
) -> dict[str, Any]:
    count = await services.item_count(db_session, current_user, guest_token(request))
    unread = await notifications.unread_count(db_session, current_user)
    return {"user": current_user, "cart_count": count, "unread": unread, "path": request.url.path}


dependencies = {"nav": Provide(provide_nav)}
