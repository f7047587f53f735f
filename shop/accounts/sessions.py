"""Signed-in browsers: one `user_sessions` row per sign-in, revocable from any other device.

The server-side session record holds `{"uid", "sid"}`. A record whose row is revoked or missing is
anonymous: `session_user` checks both in the one query that loads the user, so pages, the API and
websockets (which cannot use Litestar's dependencies) share the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from shop.accounts import authcache
from shop.accounts.models import Merchant, User, UserSession
from shop.accounts.schemas import SessionOut
from shop.core import clock
from shop.core.errors import NotFound


async def open_session(db: AsyncSession, user: User, user_agent: str, ip: str) -> UserSession:
    row = UserSession(user_id=user.id, user_agent=user_agent[:200], ip=ip[:64])
    db.add(row)
    await db.flush()
    return row


def session_ids(session: Any) -> tuple[int, int] | None:
    """(user id, session row id) from a session record, or None when it is not a signed-in one."""
    if not isinstance(session, dict):
        return None
    uid, sid = session.get("uid"), session.get("sid")
    # A record from before session rows existed has no sid: it counts as signed out.
    if type(uid) is not int or type(sid) is not int:
        return None
    return uid, sid


async def session_user(db: AsyncSession, session: Any) -> User | None:
    """The user a session record signs in, or None if it is anonymous, revoked or gone."""
    ids = session_ids(session)
    if ids is None:
        return None
    uid, sid = ids
    stmt = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == uid, UserSession.id == sid, UserSession.revoked_at.is_(None))
        # Every signed-in request reads this: its shop in the same statement, not a second one.
        .options(joinedload(User.merchant).lazyload(Merchant.owner))
    )
    return await db.scalar(stmt)


async def active_sessions(db: AsyncSession, user: User) -> Sequence[UserSession]:
    stmt = (
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.id.desc())
        .limit(100)
    )
    return (await db.scalars(stmt)).all()


async def revoke(db: AsyncSession, user: User, session_id: int) -> None:
    """Sign one of the user's own browsers out; another user's session is a 404."""
    result = await db.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No such session.")
    await authcache.revoked(db, user.id)


async def revoke_others(db: AsyncSession, user: User, keep_id: int | None) -> int:
    """Sign out every browser of this user except `keep_id` (None: all of them)."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(UserSession.id != keep_id)
    result = await db.execute(stmt.values(revoked_at=clock.now()))
    await authcache.revoked(db, user.id)  # a password change comes this way too
    return int(result.rowcount)  # type: ignore[attr-defined]


async def end_session(db: AsyncSession, session: Any) -> None:
    """Sign-out: the row is revoked too, so a copied cookie is dead even if the store keeps it."""
    ids = session_ids(session)
    if ids is not None:
        uid, sid = ids
        await db.execute(
            update(UserSession)
            .where(UserSession.id == sid, UserSession.user_id == uid, UserSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
        await authcache.revoked(db, uid)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Mac OS X", "Mac"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Chrome on Android": enough to recognise a device, without a user-agent database."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    if browser is None and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    if browser is None and system is None:
        # Scripts and unknown clients: show the product token ("curl", "python-httpx").
        product = re.match(r"[\w.-]{1,40}", user_agent)
        return product.group(0) if product else "Unknown device"
    return " on ".join(part for part in (browser or "Browser", system) if part)


def session_out(row: UserSession, current_id: int | None) -> SessionOut:
    return SessionOut(
        id=row.id,
        device=device_label(row.user_agent),
        user_agent=row.user_agent,
        ip=row.ip,
        created_at=row.created_at,
        current=row.id == current_id,
    )
