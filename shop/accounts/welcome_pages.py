"""Onboarding after sign-up: /welcome picks interests, /welcome/creators suggests people to follow."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import onboarding, services
from shop.accounts.models import User
from shop.accounts.schemas import InterestsIn, suggestion_out
from shop.accounts.signin import safe_next
from shop.core.pages import form_errors, render
from shop.core.schemas import RowId
from shop.notifications.services import Notifier

HEAD = '<link rel="stylesheet" href="/static/css/accounts.css">'


def _with_next(path: str, target: str) -> str:
    return path if target == "/" else f"{path}?next={quote(target, safe='/')}"


class WelcomePages(Controller):
    path = "/welcome"
    include_in_schema = False

    @get("/")
    async def interests(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, next: str | None = None
    ) -> Template:
        chosen = await onboarding.interests(db_session, user)
        return await self._interests_page(db_session, nav, chosen, safe_next(next), {})

    @post("/")
    async def save_interests(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, nav: dict[str, Any], user: User
    ) -> Response[Any]:
        form = await request.form()
        picked = [str(t) for t in form.getall("topics", [])][:50]
        target = safe_next(str(form.get("next", "/")))
        try:
            data = InterestsIn.model_validate({"topics": picked})
        except ValidationError as error:
            return await self._interests_page(db_session, nav, picked, target, form_errors(error), 422)
        await onboarding.set_interests(db_session, user, data.topics)
        return Redirect(_with_next("/welcome/creators", target))

    @get("/creators")
    async def creators(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, next: str | None = None
    ) -> Template:
        found = await onboarding.suggested_creators(db_session, user, limit=12)
        return render(
            "shop/welcome_creators.html",
            nav,
            creators=[suggestion_out(s) for s in found],
            next=safe_next(next),
        )

    @post("/follow/{user_id:int}")
    async def follow(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        user: User,
        notifier: Notifier,
        user_id: RowId,
    ) -> Redirect:
        """The no-JS path of the Follow buttons (follow.js calls the JSON API instead)."""
        form = await request.form()
        # set_follow is the one place a follow happens, so the followee is notified as anywhere else.
        await services.set_follow(db_session, user, user_id, on=form.get("on") == "1", notifier=notifier)
        return Redirect(_with_next("/welcome/creators", safe_next(str(form.get("next", "/")))))

    @staticmethod
    async def _interests_page(
        db: AsyncSession,
        nav: dict[str, Any],
        chosen: list[str],
        target: str,
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        popular = await onboarding.popular_topics(db)
        # Keep a previously chosen topic visible even if it is no longer among the popular ones.
        topics = popular + [t for t in chosen if t not in popular]
        return render(
            "shop/welcome.html",
            nav,
            status_code=status_code,
            topics=topics,
            chosen=set(chosen),
            next=target,
            errors=errors,
        )
