"""The creators' marketplace (/studio/marketplace): open collaborations by rate or newest, by
category, minimum rate and search, each with an Add to showcase toggle that works without JS."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Role, User
from shop.catalog.models import ProductCategory
from shop.core.errors import InvalidInput, NotFound, PermissionDenied
from shop.core.http import safe_path
from shop.core.pages import render
from shop.core.schemas import Cursor, QueryText
from shop.partnerships import services
from shop.partnerships import showcase as showcases
from shop.partnerships.schemas import collaboration_card
from shop.partnerships.services import Filters, Sort

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 24
MIN_RATES = (0, 500, 1000, 1500, 2000)  # the "10%+" chips, in basis points
HOME = "/studio/marketplace"


def _creator(user: User) -> User:
    if user.role != Role.CREATOR:
        raise PermissionDenied("The marketplace is for creators: it fills a creator's showcase.")
    return user


class MarketplacePages(Controller):
    include_in_schema = False

    @get(HOME)
    async def marketplace(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        user: User,
        q: QueryText = None,
        category: ProductCategory | None = None,
        min_bps: int | None = Parameter(default=None, ge=0, le=10_000),
        sort: Sort = Sort.RATE,
        showcase: bool = False,
        cursor: Cursor = None,
    ) -> Template:
        _creator(user)
        filters = Filters(
            q=q, min_bps=min_bps or None, category=category, showcase_of=user.id if showcase else None
        )
        rows, next_cursor = await services.open_collaborations(
            db_session, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
        )
        shown = await showcases.in_showcase(db_session, user.id, [r.collaboration.product_id for r in rows])
        state: dict[str, object] = {
            "q": q or "",
            "category": category or "",
            "min_bps": min_bps or "",
            "sort": "" if sort == Sort.RATE else sort.value,  # the default stays out of links
            "showcase": "1" if showcase else "",
        }

        def link(**changes: object) -> str:
            """This page with some filters changed (empty ones left out); paging starts over."""
            query = {k: v for k, v in {**state, **changes}.items() if v not in ("", None)}
            return f"{HOME}?{urlencode(query)}" if query else HOME

        return render(
            "studio/marketplace.html",
            nav,
            cards=[collaboration_card(r.collaboration, r.rates) for r in rows],
            shown=shown,
            state=state,
            sort=sort.value,
            link=link,
            categories=list(ProductCategory),
            min_rates=MIN_RATES,
            next_cursor=next_cursor,
        )

    @post(f"{HOME}/showcase")
    async def toggle(self, db_session: AsyncSession, user: User, data: Form) -> Redirect:
        """The card's button without JS: add or remove, then back to the same card."""
        raw = data.get("product_id", "")
        if not raw.isdigit() or not 1 <= int(raw) <= 2**53:
            raise InvalidInput(fields={"product_id": "Choose a product."})
        product_id = int(raw)
        if data.get("action") == "remove":
            with suppress(NotFound):  # already out (a second tap): the page shows it out either way
                await showcases.remove(db_session, user, product_id)
        else:
            await showcases.add(db_session, _creator(user), product_id)
        return Redirect(f"{safe_path(data.get('next'), HOME)}#product-{product_id}")
