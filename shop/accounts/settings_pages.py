"""Settings pages: profile (name, bio, photo), password, signed-in sessions and API tokens.

Forms re-render with field errors (422) on a mistake and redirect with `?saved=1` on success, so a
reload never re-submits. A new token's secret is shown once, in the response to its form.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import profiles, services, sessions
from shop.accounts.models import User
from shop.accounts.profiles import read_image
from shop.accounts.schemas import PasswordIn, ProfileIn, TokenIn
from shop.accounts.sessions import session_out
from shop.accounts.signin import current_session_id
from shop.core import clock
from shop.core.errors import AppError
from shop.core.i18n import N_
from shop.core.pages import form_errors, render
from shop.core.ratelimit import AttemptCounter
from shop.core.schemas import RowId
from shop.core.storage import ImageStore
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _page(
    template: str, nav: dict[str, Any], section: str, status_code: int = 200, **context: Any
) -> Template:
    context.setdefault("errors", {})
    context.setdefault("form", {})
    context.setdefault("now", clock.now())
    return render(f"shop/settings/{template}", nav, status_code=status_code, section=section, **context)


def _fields(data: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: data[name] for name in names if name in data}


class SettingsPages(Controller):
    path = "/settings"
    include_in_schema = False

    @get("/")
    async def index(self, db_session: AsyncSession, nav: dict[str, Any], user: User) -> Template:
        active = await sessions.active_sessions(db_session, user)
        tokens = await services.list_api_tokens(db_session, user)
        return _page("index.html", nav, "", session_count=len(active), token_count=len(tokens))

    # --- profile ---------------------------------------------------------------------------------
    @get("/profile")
    async def profile(self, nav: dict[str, Any], user: User, saved: bool = False) -> Template:
        return _page("profile.html", nav, "profile", saved=saved)

    @post("/profile")
    async def save_profile(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, data: Form
    ) -> Response[Any]:
        form = _fields(data, ("display_name", "bio"))
        try:
            await profiles.update_profile(db_session, user, ProfileIn.model_validate(form))
        except ValidationError as error:
            return _page("profile.html", nav, "profile", 422, form=form, errors=form_errors(error))
        return Redirect("/settings/profile?saved=1")

    @post("/avatar")
    async def save_avatar(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        image_store: ImageStore,
        data: Multipart,
    ) -> Response[Any]:
        try:
            await profiles.set_avatar(db_session, image_store, user, await read_image(data))
        except AppError as error:
            errors = {"file": error.fields.get("file", error.message)}
            return _page("profile.html", nav, "profile", error.status_code, errors=errors)
        return Redirect("/settings/profile?saved=1")

    @post("/avatar/remove")
    async def remove_avatar(self, db_session: AsyncSession, user: User) -> Redirect:
        await profiles.clear_avatar(db_session, user)
        return Redirect("/settings/profile?saved=1")

    # --- password --------------------------------------------------------------------------------
    @get("/password")
    async def password(self, nav: dict[str, Any], user: User, saved: bool = False) -> Template:
        return _page("password.html", nav, "password", saved=saved)

    @post("/password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        nav: dict[str, Any],
        user: User,
        data: Form,
    ) -> Response[Any]:
        if data.get("new_password", "") != data.get("confirm_password", ""):
            errors = {"confirm_password": N_("The two new passwords differ.")}
            return _page("password.html", nav, "password", 422, errors=errors)
        try:
            await profiles.change_password(
                db_session,
                attempts,
                user,
                PasswordIn.model_validate(_fields(data, ("current_password", "new_password"))),
                keep_session_id=current_session_id(request),
                max_failures=settings.login_failures_per_account,
                window_s=settings.login_failure_window_s,
            )
        except ValidationError as error:
            return _page("password.html", nav, "password", 422, errors=form_errors(error))
        except AppError as error:
            errors = error.fields or {"form": error.message}
            return _page("password.html", nav, "password", error.status_code, errors=errors)
        return Redirect("/settings/password?saved=1")

    # --- sessions --------------------------------------------------------------------------------
    @get("/sessions")
    async def sessions_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, nav: dict[str, Any], user: User
    ) -> Template:
        current = current_session_id(request)
        rows = [session_out(row, current) for row in await sessions.active_sessions(db_session, user)]
        return _page("sessions.html", nav, "sessions", sessions=rows)

    @post("/sessions/{session_id:int}/revoke")
    async def revoke_session(self, db_session: AsyncSession, user: User, session_id: RowId) -> Redirect:
        await sessions.revoke(db_session, user, session_id)
        return Redirect("/settings/sessions")

    @post("/sessions/others")
    async def revoke_others(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: User
    ) -> Redirect:
        await sessions.revoke_others(db_session, user, current_session_id(request))
        return Redirect("/settings/sessions")

    # --- API tokens ------------------------------------------------------------------------------
    @get("/tokens")
    async def tokens(self, db_session: AsyncSession, nav: dict[str, Any], user: User) -> Template:
        return _page("tokens.html", nav, "tokens", tokens=await services.list_api_tokens(db_session, user))

    @post("/tokens")
    async def create_token(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, data: Form
    ) -> Response[Any]:
        form = _fields(data, ("name", "expires_in_days"))
        secret, status, errors = None, 200, {}
        try:
            wanted = TokenIn.model_validate({**form, "expires_in_days": form.get("expires_in_days") or None})
            secret, _ = await services.create_api_token(db_session, user, wanted.name, wanted.expires_in_days)
        except ValidationError as error:
            status, errors = 422, form_errors(error)
        except AppError as error:
            status, errors = error.status_code, {"name": error.message}
        rows = await services.list_api_tokens(db_session, user)
        # The secret is in this response only: never in a URL, never stored in clear, never cached.
        page = _page(
            "tokens.html", nav, "tokens", status, tokens=rows, secret=secret, form=form, errors=errors
        )
        page.headers["Cache-Control"] = "no-store"
        return page

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, db_session: AsyncSession, user: User, token_id: RowId) -> Redirect:
        await services.revoke_api_token(db_session, user, token_id)
        return Redirect("/settings/tokens")
