"""The storefront page `/shops/{id}`: the shop, its owner, Follow, and tabs of products and notes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.catalog import services, storefront
from shop.core.pages import render
from shop.core.schemas import Cursor, RowId
from shop.notes.schemas import note_card_out
from shop.notifications.services import Notifier

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 24


class StorefrontPages(Controller):
    path = "/shops"
    include_in_schema = False

    @get("/{shop_id:int}")
    async def storefront(
        self,
        db_session: AsyncSession,
        nav: dict[str, Any],
        current_user: User | None,
        shop_id: RowId,
        tab: Literal["products", "notes"] = "products",
        cursor: Cursor = None,
    ) -> Template:
        shop = await storefront.get_shop(db_session, shop_id)
        products, cards = [], []
        if tab == "notes":
            notes, next_cursor = await storefront.shop_notes(db_session, shop, cursor=cursor, limit=PAGE_SIZE)
            cards = [note_card_out(n) for n in notes]
        else:
            found, next_cursor = await services.list_products(
                db_session, q=None, merchant_id=shop.id, cursor=cursor, limit=PAGE_SIZE
            )
            products = list(found)
        return render(
            "shop/storefront.html",
            nav,
            shop=shop,
            owner=shop.owner,
            following=await accounts.is_following(db_session, current_user, shop.owner_id),
            tab=tab,
            products=products,
            cards=cards,
            next_cursor=next_cursor,
        )

    @post("/{shop_id:int}/follow")
    async def follow(
        self, db_session: AsyncSession, user: User, notifier: Notifier, shop_id: RowId, data: Form
    ) -> Redirect:
        """Following a shop follows its owner (the no-JS path; follow.js uses the JSON API)."""
        shop = await storefront.get_shop(db_session, shop_id)
        await accounts.set_follow(
            db_session, user, shop.owner_id, on=data.get("on") == "1", notifier=notifier
        )
        return Redirect(f"/shops/{shop.id}")
