"""Accounts: registration, credentials, API tokens and follows. Services flush, never commit."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

import anyio
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from shop.accounts import authcache, tokenstamps
from shop.accounts.models import ApiToken, Follow, Merchant, Role, User
from shop.accounts.schemas import RegisterIn
from shop.core import clock, security
from shop.core.db import insert_ignoring_conflict
from shop.core.errors import AlreadyExists, Conflict, InvalidCredentials, InvalidInput, NotFound
from shop.core.i18n import N_
from shop.core.ratelimit import AttemptCounter, take_slots
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier


async def register(db: AsyncSession, data: RegisterIn) -> User:
    if await db.scalar(select(User.id).where(User.email == data.email)):
        raise AlreadyExists("That email is already registered.", fields={"email": "Already registered."})
    # Argon2 takes ~50 ms of CPU on purpose: in a thread, so the event loop serves others meanwhile.
    password_hash = await anyio.to_thread.run_sync(security.hash_password, data.password)
    user = User(
        email=data.email,
        password_hash=password_hash,
        display_name=data.display_name,
        role=data.role.value,
        avatar_hue=sum(data.email.encode()) % 360,
        merchant=None,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:
        # Two sign-ups with the same email raced; the unique index decided.
        raise AlreadyExists(
            "That email is already registered.", fields={"email": "Already registered."}
        ) from None
    if data.role is Role.MERCHANT:
        await open_shop(db, user, data.shop_name or f"{data.display_name}'s shop")
    return user


async def open_shop(db: AsyncSession, owner: User, name: str) -> Merchant:
    base = _slugify(name) or f"shop-{owner.id}"
    slug = base
    suffix = 1
    while await db.scalar(select(Merchant.id).where(Merchant.slug == slug)):
        suffix += 1
        slug = f"{base}-{suffix}"
    merchant = Merchant(owner_id=owner.id, name=name, slug=slug)
    db.add(merchant)
    await db.flush()
    await db.refresh(owner, ["merchant"])
    return merchant


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


async def authenticate(
    db: AsyncSession,
    counter: AttemptCounter,
    email: str,
    password: str,
    ip: str,
    *,
    per_account: int,
    per_ip: int,
    window_s: int,
) -> User:
    """Check credentials, refusing once an account or an IP has failed too often.

    Each attempt takes its slot first (an atomic INCR counted as a failure), and only an attempt
    within the limits is verified: ten wrong passwords at once cannot all be tried, because the
    count is never read before the verify and written after it. A success gives its slots back.
    """
    keys = [f"login:acct:{email}", f"login:ip:{ip}"]
    limits = dict(zip(keys, (per_account, per_ip), strict=True))
    await take_slots(counter, limits, window_s, N_("Too many failed sign-ins. Try again later."))
    user = await db.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user else None
    if user is None or not await anyio.to_thread.run_sync(security.verify_password, stored, password):
        raise InvalidCredentials(fields={"password": "The email or password is not correct."})
    await counter.reset(keys[0])
    await counter.undo_many(keys[1:])
    return user


MAX_API_TOKENS = 50


async def create_api_token(
    db: AsyncSession, user: User, name: str, expires_in_days: int | None = None
) -> tuple[str, ApiToken]:
    """The secret (shown once) and its row; `expires_in_days` None: until revoked."""
    count = await db.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id))
    if (count or 0) >= MAX_API_TOKENS:
        raise Conflict(N_("You have %(n)s tokens already. Revoke one first.", n=MAX_API_TOKENS))
    token, digest = security.new_api_token()
    expires = clock.now() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(user_id=user.id, name=name, token_digest=digest, expires_at=expires)
    db.add(row)
    await db.flush()
    return token, row


async def list_api_tokens(db: AsyncSession, user: User) -> Sequence[ApiToken]:
    await tokenstamps.settled()  # "last used" includes the use that came just before
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return (await db.scalars(stmt)).all()


async def revoke_api_token(db: AsyncSession, user: User, token_id: int) -> None:
    """Delete the row: the next request with that secret finds nothing. Others' tokens are a 404."""
    result = await db.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No such token.")
    await authcache.revoked(db, user.id)


# Built once: every cold lookup of a flash sale's rush would otherwise build the expression anew.
_TOKEN_BY_DIGEST = select(ApiToken).where(ApiToken.token_digest == bindparam("digest"))


async def find_live_token(db: AsyncSession, token: str) -> ApiToken | None:
    """The token's row if it is known and not expired; its last-use stamp is the caller's."""
    api_token = await db.scalar(_TOKEN_BY_DIGEST, {"digest": security.token_digest(token)})
    if api_token is None or (api_token.expires_at is not None and api_token.expires_at <= clock.now()):
        return None
    return api_token


async def signed_in_user(db: AsyncSession, user_id: int) -> User | None:
    """The user behind a credential, with their shop (every signed-in request reads it)."""
    return await db.get(User, user_id, options=[joinedload(User.merchant).lazyload(Merchant.owner)])


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def is_following(db: AsyncSession, follower: User | None, followee_id: int) -> bool:
    if follower is None:
        return False
    found = await db.scalar(
        select(Follow.id).where(Follow.follower_id == follower.id, Follow.followee_id == followee_id)
    )
    return found is not None


async def set_follow(
    db: AsyncSession, follower: User, followee_id: int, *, on: bool, notifier: Notifier | None = None
) -> User:
    """Follow or unfollow idempotently; counters (and the followee's notification) move only when the
    row really changed. Without a notifier (the demo seeder) nobody is notified."""
    followee = await get_user(db, followee_id)
    if followee.id == follower.id:
        raise InvalidInput("You cannot follow yourself.", fields={"user_id": "That is you."})
    if on:
        now = clock.now()
        values = {
            "follower_id": follower.id,
            "followee_id": followee.id,
            "created_at": now,
            "updated_at": now,
        }
        changed = await insert_ignoring_conflict(db, Follow, values)
    else:
        result = await db.execute(
            delete(Follow).where(Follow.follower_id == follower.id, Follow.followee_id == followee.id)
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
    if not changed:
        return followee
    step = 1 if on else -1
    if on and notifier is not None:
        await notifier.notify(
            db, followee.id, NotificationKind.FOLLOW, actor=follower, url=f"/users/{follower.id}"
        )
    # Counters move in SQL so concurrent follows cannot lose an increment.
    await db.execute(
        update(User).where(User.id == followee.id).values(follower_count=User.follower_count + step)
    )
    await db.execute(
        update(User).where(User.id == follower.id).values(following_count=User.following_count + step)
    )
    await db.flush()
    await db.refresh(followee)
    return followee
