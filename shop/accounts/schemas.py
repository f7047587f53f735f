from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from shop.accounts.models import SELF_SERVE_ROLES, Role, User
from shop.core.i18n import N_
from shop.core.schemas import Email, Input, Output
from shop.core.storage import media_url, thumb_size

if TYPE_CHECKING:
    from shop.accounts.onboarding import Suggestion


# Bidi overrides and isolates can make a name render as someone else's; control characters too.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _no_controls(value: str, allowed: str = "") -> str:
    for char in value:
        if char not in allowed and (unicodedata.category(char) == "Cc" or char in _BIDI):
            raise ValueError(N_("Remove the control characters."))
    return value


def _display_name(value: str) -> str:
    return _no_controls(value.strip())


def _bio(value: str) -> str:
    return _no_controls(value.replace("\r\n", "\n").strip(), allowed="\n")


def _topic(value: str) -> str:
    value = value.strip().lstrip("#").lower()
    if not re.fullmatch(r"[\w\u4e00-\u9fff]{1,40}", value):
        raise ValueError("Topics are 1-40 letters, digits or underscores.")
    return value


def _self_serve(value: Role) -> Role:
    if value not in SELF_SERVE_ROLES:
        raise ValueError(N_("Choose shopper, creator or merchant: operators are made by the platform."))
    return value


DisplayName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_display_name)]
Bio = Annotated[str, Field(max_length=300), AfterValidator(_bio)]
InterestTopic = Annotated[str, Field(max_length=41), AfterValidator(_topic)]
SelfServeRole = Annotated[Role, AfterValidator(_self_serve)]


class RegisterIn(Input):
    email: Email
    password: str = Field(min_length=8, max_length=128)
    display_name: DisplayName
    role: SelfServeRole = Role.SHOPPER
    shop_name: str | None = Field(default=None, min_length=2, max_length=80)


class LoginIn(Input):
    email: Email
    password: str = Field(min_length=1, max_length=128)


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=80)
    expires_in_days: int | None = Field(default=None, ge=1, le=365, description="None: until revoked")


class TokenOut(Output):
    token: str
    name: str
    expires_at: datetime | None = None


class MerchantRef(Output):
    id: int
    name: str


class UserRef(Output):
    id: int
    display_name: str
    avatar_url: str | None = None
    avatar_hue: int = 200


class MeOut(Output):
    id: int
    email: str
    display_name: str
    role: str
    merchant: MerchantRef | None
    bio: str = ""
    avatar_url: str | None = None
    avatar_hue: int = 200


class ProfileOut(Output):
    id: int
    display_name: str
    role: str
    bio: str
    follower_count: int
    following_count: int
    avatar_url: str | None = None
    avatar_hue: int = 200
    is_following: bool = False


class ProfileIn(Input):
    display_name: DisplayName | None = Field(default=None, max_length=60)
    bio: Bio | None = Field(default=None, max_length=300)


class PasswordIn(Input):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class PasswordChangedOut(Output):
    signed_out_sessions: int


class SessionOut(Output):
    id: int
    device: str
    user_agent: str
    ip: str
    created_at: datetime
    current: bool


class SessionPage(Output):
    items: list[SessionOut]
    next_cursor: str | None = None


class ApiTokenOut(Output):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class ApiTokenPage(Output):
    items: list[ApiTokenOut]
    next_cursor: str | None = None


class InterestsIn(Input):
    topics: list[InterestTopic] = Field(max_length=20)


class InterestsOut(Output):
    topics: list[str]
    popular: list[str]


class CoverOut(Output):
    note_id: int
    url: str
    width: int
    height: int


class SuggestedCreatorOut(Output):
    id: int
    display_name: str
    role: str
    bio: str
    avatar_url: str | None
    avatar_hue: int
    follower_count: int
    topical_note_count: int
    covers: list[CoverOut]
    is_following: bool


class SuggestedPage(Output):
    items: list[SuggestedCreatorOut]
    next_cursor: str | None = None


def suggestion_out(suggestion: Suggestion) -> SuggestedCreatorOut:
    person = suggestion.user
    covers = []
    for image in suggestion.covers:
        width, height = thumb_size(image.width, image.height)
        covers.append(
            CoverOut(note_id=image.note_id, url=media_url(image.thumb_key), width=width, height=height)
        )
    return SuggestedCreatorOut(
        id=person.id,
        display_name=person.display_name,
        role=person.role,
        bio=person.bio,
        avatar_url=person.avatar_url,
        avatar_hue=person.avatar_hue,
        follower_count=person.follower_count,
        topical_note_count=suggestion.topical_note_count,
        covers=covers,
        is_following=suggestion.is_following,
    )


def me_out(user: User) -> MeOut:
    merchant = MerchantRef(id=user.merchant.id, name=user.merchant.name) if user.merchant else None
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        merchant=merchant,
        bio=user.bio,
        avatar_url=user.avatar_url,
        avatar_hue=user.avatar_hue,
    )
