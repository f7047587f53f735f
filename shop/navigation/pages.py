"""Where the tab bar leads that no domain owns: the "Me" hub and the "+" chooser."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template

from shop.accounts.models import Role, User
from shop.core.errors import NotFound
from shop.core.pages import render


class NavigationPages(Controller):
    include_in_schema = False

    @get("/me")
    async def me(self, nav: dict[str, Any], user: User) -> Template:
        """A phone has no header menu: everything about "me" is one tap from the Me tab."""
        return render("navigation/me.html", nav, person=user)

    @get("/create")
    async def create(self, nav: dict[str, Any], user: User) -> Template:
        if user.role not in (Role.CREATOR, Role.MERCHANT):
            raise NotFound("Only creators and merchants post and go live.")
        return render("navigation/create.html", nav)
