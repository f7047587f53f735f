"""`python -m shop operator add|list`: the only way an operator comes to be (sign-up refuses the role).

`add_operator` works on a session the caller commits; `run_add` and `run_list` are what the command
line runs (an engine of their own, one transaction).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Role, User
from shop.core import security
from shop.core.db import build_engine
from shop.core.errors import Conflict, InvalidInput
from shop.core.i18n import N_
from shop.core.schemas import Email

GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


@dataclass(frozen=True, slots=True)
class OperatorAdded:
    user: User
    outcome: str  # "created" | "promoted" | "unchanged"
    generated_password: str | None  # shown once, never stored in clear


def _valid_email(email: str) -> str:
    try:
        return TypeAdapter(Email).validate_python(email)
    except ValidationError:
        raise InvalidInput("That is not an email address.", fields={"email": "Not an email."}) from None


def _name_from(email: str) -> str:
    local = re.sub(r"[^\w.\- ]+", " ", email.split("@", 1)[0]).strip()
    return (local or "Operator")[:60]


async def add_operator(db: AsyncSession, email: str, password: str | None = None) -> OperatorAdded:
    """Promote the user with this email, or create one. Running it again changes nothing, except
    that a given password is set (a way back into a lost operator account)."""
    email = _valid_email(email)
    if password is not None and not 8 <= len(password) <= 128:
        raise InvalidInput("A password has 8 to 128 characters.", fields={"password": "8-128 characters."})
    user = await db.scalar(select(User).where(User.email == email))
    if user is not None and user.merchant is not None:
        # An operator judges shops; one who owns a shop would judge their own.
        raise Conflict(
            N_(
                "%(email)s owns the shop “%(shop)s”: an operator cannot own a shop.",
                email=email,
                shop=user.merchant.name,
            )
        )
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
        user = User(
            email=email,
            password_hash=security.hash_password(password or generated or ""),
            display_name=_name_from(email),
            role=Role.OPERATOR.value,
            avatar_hue=sum(email.encode()) % 360,
            merchant=None,
        )
        db.add(user)
        outcome = "created"
    else:
        outcome = "unchanged" if user.role == Role.OPERATOR else "promoted"
        user.role = Role.OPERATOR.value
        if password:
            user.password_hash = security.hash_password(password)
    await db.flush()
    return OperatorAdded(user=user, outcome=outcome, generated_password=generated)


async def list_operators(db: AsyncSession) -> list[User]:
    return list(await db.scalars(select(User).where(User.role == Role.OPERATOR.value).order_by(User.id)))


async def run_add(settings: Any, email: str, password: str | None) -> tuple[int, list[str]]:
    """(exit code, lines to print)."""
    engine = build_engine(settings)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            try:
                added = await add_operator(db, email, password)
            except (Conflict, InvalidInput) as error:
                return 1, [f"error: {error.message}"]
            await db.commit()
    finally:
        await engine.dispose()
    lines = [f"{added.user.email} ({added.user.display_name}): operator, {added.outcome}"]
    if added.generated_password:
        lines.append(f"password: {added.generated_password}  (shown once: keep it somewhere safe)")
    return 0, lines


async def run_list(settings: Any) -> list[str]:
    engine = build_engine(settings)
    try:
        async with AsyncSession(engine) as db:
            return [f"{u.id}\t{u.email}\t{u.display_name}" for u in await list_operators(db)]
    finally:
        await engine.dispose()
