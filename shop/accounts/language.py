"""The header's language switcher: a cookie for this browser, and the saved preference of a signed-in user.

POST /language (a form: lang, next) answers with a redirect back, so it works without JS; the
switcher's script submits it on change. PUT /api/v1/me/language does the same for API clients.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, post, put
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core import i18n
from shop.core.errors import InvalidInput
from shop.core.http import safe_path
from shop.core.schemas import Input
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class LanguageIn(Input):
    lang: str = Field(min_length=2, max_length=16)


def _chosen(value: object) -> str:
    locale = i18n.normalize(value)
    if locale is None:
        raise InvalidInput(fields={"lang": i18n.N_("Choose English or 简体中文.")})
    return locale


def lang_cookie(locale: str, *, secure: bool) -> Cookie:
    # Readable by nothing but the server's negotiation; a year, like any display preference.
    return Cookie(
        key=i18n.COOKIE,
        value=locale,
        max_age=365 * 24 * 3600,
        path="/",
        samesite="lax",
        httponly=True,
        secure=secure,
    )


async def _save(db_session: AsyncSession, user: User | None, locale: str) -> None:
    if user is not None and user.locale != locale:
        user.locale = locale
        await db_session.commit()


class LanguagePages(Controller):
    include_in_schema = False

    @post("/language", status_code=303)
    async def switch(
        self, db_session: AsyncSession, current_user: User | None, data: Form, settings: Settings
    ) -> Redirect:
        locale = _chosen(data.get("lang"))
        await _save(db_session, current_user, locale)
        back = safe_path(data.get("next"), "/")
        return Redirect(
            path=back, status_code=303, cookies=[lang_cookie(locale, secure=settings.secure_cookies)]
        )


class LanguageController(Controller):
    path = "/api/v1/me/language"
    tags = ["accounts"]

    @put("/")
    async def save(
        self, db_session: AsyncSession, user: User, data: LanguageIn, settings: Settings
    ) -> Response[dict[str, Any]]:
        """Save the signed-in user's interface language (en | zh_Hans); the answer sets the cookie too."""
        locale = _chosen(data.lang)
        await _save(db_session, user, locale)
        return Response({"lang": locale}, cookies=[lang_cookie(locale, secure=settings.secure_cookies)])
