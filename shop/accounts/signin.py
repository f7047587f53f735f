"""Signing a browser in and out, shared by the JSON API and the sign-in pages.

A throttled credentials check, a fresh session id at sign-in (no fixation) with the guest cart
folded into the account, and the same-site `next` a page may send the browser back to.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import services, sessions
from shop.accounts.models import User
from shop.accounts.schemas import LoginIn, RegisterIn
from shop.cart.deps import guest_token
from shop.cart.services import merge_guest_cart
from shop.core.http import safe_path
from shop.core.i18n import N_
from shop.core.ratelimit import AttemptCounter, take_slots
from shop.core.security import rotate_session
from shop.settings import Settings


async def sign_in(request: Request[Any, Any, Any], db: AsyncSession, user: User) -> None:
    """Start a session under a fresh id (no fixation) and fold the guest cart into the account."""
    await merge_guest_cart(db, guest_token(request), user)
    ip = request.client.host if request.client else ""
    row = await sessions.open_session(db, user, request.headers.get("user-agent", ""), ip)
    request.set_session({"uid": user.id, "sid": row.id})
    rotate_session(request)


async def sign_out(request: Request[Any, Any, Any], db: AsyncSession) -> None:
    await sessions.end_session(db, request.session)
    request.clear_session()


async def sign_up(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    attempts: AttemptCounter,
    settings: Settings,
    data: RegisterIn,
) -> User:
    """Register, at most `signups_per_ip_per_hour` from one address (a farm of accounts made to
    hold a sale's stock starts here)."""
    client_ip = request.client.host if request.client else "unknown"
    limit = {f"signup:ip:{client_ip}": settings.signups_per_ip_per_hour}
    await take_slots(attempts, limit, 3600, N_("Too many new accounts from this network. Try again later."))
    return await services.register(db, data)


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


def current_session_id(request: Request[Any, Any, Any]) -> int | None:
    ids = sessions.session_ids(request.session)
    return ids[1] if ids else None


def safe_next(target: str | None) -> str:
    return safe_path(target)
