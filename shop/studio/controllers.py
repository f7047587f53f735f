"""The studio's JSON API: the author's notes, the products they may tag, topic suggestions."""

from __future__ import annotations

from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.catalog.schemas import ProductPage, product_card_out
from shop.core.pagination import clamp_limit
from shop.core.schemas import Cursor, Limit, QueryText
from shop.studio import services
from shop.studio.schemas import StudioNotePage, TopicList, TopicOut, studio_note_out


class StudioController(Controller):
    path = "/api/v1/studio"
    tags = ["studio"]

    @get("/notes")
    async def notes(
        self, db_session: AsyncSession, user: User, cursor: Cursor = None, limit: Limit = None
    ) -> StudioNotePage:
        """The author's notes, drafts included, newest first (creators and merchants; else 404)."""
        rows, next_cursor = await services.own_notes(
            db_session, user, cursor=cursor, limit=clamp_limit(limit)
        )
        return StudioNotePage(items=[studio_note_out(n) for n in rows], next_cursor=next_cursor)

    @get("/taggable-products")
    async def taggable_products(
        self,
        db_session: AsyncSession,
        user: User,
        q: QueryText = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> ProductPage:
        """The products this author may tag on a note, matching `q`."""
        rows, next_cursor = await services.taggable_products(
            db_session, user, q=q, cursor=cursor, limit=clamp_limit(limit)
        )
        return ProductPage(items=[product_card_out(p) for p in rows], next_cursor=next_cursor)

    @get("/topics")
    async def topics(self, db_session: AsyncSession, user: User, q: QueryText = None) -> TopicList:
        """The most used topics, those starting with `q` when given: the composer's suggestions."""
        found = await services.popular_topics(db_session, user, q)
        return TopicList(items=[TopicOut(topic=topic, uses=uses) for topic, uses in found])
