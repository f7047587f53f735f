"""The `operator` dependency: the signed-in user, if they run the platform."""

from __future__ import annotations

from litestar.di import Provide

from shop.accounts.models import Role, User
from shop.core.errors import PermissionDenied


async def provide_operator(user: User) -> User:
    # 403 like `merchant` for non-merchants: that the operator API exists is no secret.
    if user.role != Role.OPERATOR:
        raise PermissionDenied("Only operators can do that.")
    return user


dependencies = {"operator": Provide(provide_operator)}
