"""Who may open the dashboard: a merchant, for their own shop. To anyone else it does not exist (404)."""

from __future__ import annotations

from litestar.di import Provide

from shop.accounts.models import Merchant, User
from shop.core.errors import NotFound


async def provide_shop(current_user: User | None) -> Merchant:
    if current_user is None or current_user.merchant is None:
        raise NotFound("Not found.")
    return current_user.merchant


dependencies = {"shop": Provide(provide_shop)}
