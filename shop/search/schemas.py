from __future__ import annotations

from shop.accounts.models import User
from shop.core.schemas import Output


class PersonOut(Output):
    id: int
    display_name: str
    role: str
    bio: str
    follower_count: int


class PeoplePage(Output):
    items: list[PersonOut]
    next_cursor: str | None


def person_out(user: User) -> PersonOut:
    return PersonOut(
        id=user.id,
        display_name=user.display_name,
        role=user.role,
        bio=user.bio,
        follower_count=user.follower_count,
    )
