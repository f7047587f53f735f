"""POST /api/v1/translate: cookie (with CSRF) or bearer; the texts are read from the DB by id."""

from __future__ import annotations

from litestar import Controller, post
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.ratelimit import AttemptCounter
from shop.settings import Settings
from shop.translate import services
from shop.translate.providers import Provider
from shop.translate.schemas import MAX_BODY_BYTES, TranslateIn, TranslateOut


class TranslateController(Controller):
    path = "/api/v1/translate"
    tags = ["translate"]

    @post("/", status_code=HTTP_200_OK, request_max_body_size=MAX_BODY_BYTES)
    async def translate(
        self,
        db_session: AsyncSession,
        user: User,
        data: TranslateIn,
        attempts: AttemptCounter,
        translator: Provider,
        settings: Settings,
    ) -> TranslateOut:
        # Rights first: another's draft is a 404 whether or not a provider is configured.
        pieces = await services.read(db_session, user, data.items)
        if not translator.available:
            raise services.TranslationUnavailable()
        await services.throttle(attempts, user, settings.translate_per_user_per_minute)
        todo = services.plan(pieces, data.target)
        pending = await services.cached(db_session, todo, data.target, translator.name)
        if pending:
            # End the read-only transaction: no pooled connection waits on the provider.
            await db_session.commit()
            done = await services.ask(translator, pending, data.target)
            await services.remember(db_session, done, data.target, translator.name)
        return services.answer(pieces, data.target, translator.name)
