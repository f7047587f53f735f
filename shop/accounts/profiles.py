"""Editing one's own account: name and bio, the avatar photo, and the password."""

from __future__ import annotations

from typing import Any

import anyio
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import sessions
from shop.accounts.models import User
from shop.accounts.schemas import PasswordIn, ProfileIn
from shop.core import security
from shop.core.errors import InvalidInput
from shop.core.i18n import N_
from shop.core.ratelimit import AttemptCounter, take_slots
from shop.core.storage import ImageStore

WRONG_PASSWORD = N_("That is not your current password.")


async def update_profile(db: AsyncSession, user: User, data: ProfileIn) -> User:
    # Only the fields the client sent: a PATCH of the bio leaves the name alone.
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.bio is not None:
        user.bio = data.bio
    await db.flush()
    return user


async def set_avatar(db: AsyncSession, store: ImageStore, user: User, data: bytes) -> User:
    """Through the same Pillow gate as note photos; the thumbnail is plenty for a round avatar."""
    stored = await anyio.to_thread.run_sync(store.save, data)
    user.avatar_key = stored.thumb_key
    await db.flush()
    return user


async def clear_avatar(db: AsyncSession, user: User) -> User:
    user.avatar_key = None
    await db.flush()
    return user


async def change_password(
    db: AsyncSession,
    counter: AttemptCounter,
    user: User,
    data: PasswordIn,
    *,
    keep_session_id: int | None,
    max_failures: int,
    window_s: int,
) -> int:
    """Check the current password, store the new hash, sign out every other session.

    Returns how many sessions were signed out. Guessing the current password from a stolen
    session is throttled like sign-in.
    """
    key = f"password:acct:{user.id}"
    await take_slots(counter, {key: max_failures}, window_s, N_("Too many wrong passwords. Try again later."))
    # argon2 is deliberately slow CPU work: off the event loop, like sign-in.
    ok = await anyio.to_thread.run_sync(security.verify_password, user.password_hash, data.current_password)
    if not ok:
        raise InvalidInput(WRONG_PASSWORD, fields={"current_password": WRONG_PASSWORD})
    await counter.reset(key)
    if data.new_password == data.current_password:
        raise InvalidInput(fields={"new_password": "Choose a password different from the current one."})
    user.password_hash = await anyio.to_thread.run_sync(security.hash_password, data.new_password)
    signed_out = await sessions.revoke_others(db, user, keep_session_id)
    await db.flush()
    return signed_out


async def read_image(data: dict[str, Any]) -> bytes:
    file = data.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidInput("Send the image as the multipart field `file`.", fields={"file": "Required."})
    return await file.read()
