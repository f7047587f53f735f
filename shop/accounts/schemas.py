from __future__ import annotations

from pydantic import Field

from shop.accounts.models import Role
from shop.core.schemas import Email, Input, Output


class RegisterIn(Input):
    email: Email
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=60)
    role: Role = Role.SHOPPER
    shop_name: str | None = Field(default=None, min_length=2, max_length=80)


class LoginIn(Input):
    email: Email
    password: str = Field(min_length=1, max_length=128)


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=80)


class TokenOut(Output):
    token: str
    name: str


class MerchantRef(Output):
    id: int
    name: str


class UserRef(Output):
    id: int
    display_name: str


class MeOut(Output):
    id: int
    email: str
    display_name: str
    role: str
    merchant: MerchantRef | None


class ProfileOut(Output):
    id: int
    display_name: str
    role: str
    bio: str
    follower_count: int
    following_count: int
    is_following: bool = False
