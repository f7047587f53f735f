"""Accounts pages: sign-up, sign-in, sign-out and profiles. Forms re-render with messages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import services
from shop.accounts.models import Role, User
from shop.accounts.schemas import LoginIn, RegisterIn
from shop.accounts.signin import check_credentials, safe_next, sign_in, sign_out, sign_up
from shop.cart.deps import clear_cart_cookie
from shop.core.errors import AppError
from shop.core.pages import form_errors, render
from shop.core.ratelimit import AttemptCounter
from shop.core.schemas import RowId
from shop.notes import services as notes
from shop.notes.schemas import note_card_out
from shop.notifications.services import Notifier
from shop.partnerships import showcase
from shop.partnerships.schemas import showcase_item_out
from shop.settings import Settings

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class AccountPages(Controller):
    include_in_schema = False

    @get("/signup")
    async def signup_form(self, nav: dict[str, Any], next: str | None = None) -> Template:
        return render("shop/signup.html", nav, form={}, errors={}, next=safe_next(next))

    @post("/signup")
    async def signup(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        nav: dict[str, Any],
        attempts: AttemptCounter,
        settings: Settings,
        data: Form,
    ) -> Response[Any]:
        fields = {k: v for k, v in data.items() if k in RegisterIn.model_fields and v != ""}
        try:
            wanted = RegisterIn.model_validate(fields)
            user = await sign_up(request, db_session, attempts, settings, wanted)
        except ValidationError as error:
            return self._again("shop/signup.html", nav, data, form_errors(error))
        except AppError as error:
            status = 429 if error.status_code == 429 else 422  # too many sign-ups: say so, not "invalid"
            errors = error.fields or {"form": error.message}
            return self._again("shop/signup.html", nav, data, errors, status)
        await sign_in(request, db_session, user)
        # New accounts start at onboarding (interests, then creators to follow), then go on to `next`.
        target = safe_next(data.get("next"))
        welcome = "/welcome" if target == "/" else f"/welcome?next={quote(target, safe='/')}"
        return Redirect(welcome, cookies=[clear_cart_cookie()])

    @get("/login")
    async def login_form(self, nav: dict[str, Any], next: str | None = None) -> Template:
        return render("shop/login.html", nav, form={}, errors={}, next=safe_next(next))

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        nav: dict[str, Any],
        data: Form,
    ) -> Response[Any]:
        try:
            credentials = LoginIn.model_validate(
                {"email": data.get("email", ""), "password": data.get("password", "")}
            )
            user = await check_credentials(request, db_session, attempts, settings, credentials)
        except ValidationError as error:
            return self._again("shop/login.html", nav, data, form_errors(error))
        except AppError as error:
            return self._again("shop/login.html", nav, data, {"form": error.message}, error.status_code)
        await sign_in(request, db_session, user)
        return Redirect(safe_next(data.get("next")), cookies=[clear_cart_cookie()])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        await sign_out(request, db_session)
        return Redirect("/")

    @staticmethod
    def _again(
        template: str,
        nav: dict[str, Any],
        data: dict[str, str],
        errors: dict[str, str],
        status_code: int = 422,
    ) -> Template:
        form = {k: v for k, v in data.items() if k != "password"}
        return render(
            template,
            nav,
            status_code=status_code,
            form=form,
            errors=errors,
            next=safe_next(data.get("next")),
        )

    @get("/users/{user_id:int}")
    async def profile(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        current_user: User | None,
        user_id: RowId,
        tab: str = "notes",
        cursor: str | None = Parameter(default=None, max_length=200),
    ) -> Template:
        person = await services.get_user(db_session, user_id)
        if tab == "showcase" and person.role == Role.CREATOR:
            return await self._showcase(db_session, nav, current_user, person, cursor)
        # Saves are private: only their owner has a Saved tab; anyone else gets the Notes tab.
        own = current_user is not None and current_user.id == person.id
        saved_by = person.id if tab == "saved" and own else None
        author_id = None if saved_by else person.id
        items, next_cursor = await notes.feed(
            db_session, cursor=None, limit=30, author_id=author_id, saved_by=saved_by
        )
        following = await services.is_following(db_session, current_user, person.id)
        return render(
            "shop/profile.html",
            nav,
            person=person,
            cards=[note_card_out(n) for n in items],
            next_cursor=next_cursor,
            tab="saved" if saved_by else "notes",
            following=following,
        )

    @staticmethod
    async def _showcase(
        db: AsyncSession, nav: dict[str, Any], viewer: User | None, person: User, cursor: str | None
    ) -> Template:
        """A creator's Showcase tab: the products they recommend (those they may still sell)."""
        shown, next_cursor = await showcase.showcase_of(db, person, cursor=cursor, limit=30)
        return render(
            "shop/profile.html",
            nav,
            person=person,
            cards=[],
            showcase=[showcase_item_out(s) for s in shown],
            next_cursor=next_cursor,
            tab="showcase",
            following=await services.is_following(db, viewer, person.id),
        )

    @post("/users/{user_id:int}/follow")
    async def toggle_follow(
        self, db_session: AsyncSession, user: User, notifier: Notifier, user_id: RowId, data: Form
    ) -> Redirect:
        await services.set_follow(db_session, user, user_id, on=data.get("on") == "1", notifier=notifier)
        return Redirect(f"/users/{user_id}")
