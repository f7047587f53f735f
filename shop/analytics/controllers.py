"""Engagement JSON: pages report events (anyone, even signed out); merchants read their funnel."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, User
from shop.analytics import funnel, services, visitors
from shop.analytics.schemas import EventsIn, EventsOut, FunnelOut, StepOut
from shop.core.ratelimit import AttemptCounter
from shop.settings import Settings


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["engagement"]

    @post("/", status_code=HTTP_202_ACCEPTED)
    async def record(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        attempts: AttemptCounter,
        settings: Settings,
        current_user: User | None,
        data: EventsIn,
    ) -> Response[EventsOut]:
        """Up to 50 events; what does not fit (unknown ids, drafts, over the caps) is dropped."""
        identity, cookie = visitors.identify(request, current_user, secure=settings.cookie_secure)
        accepted, dropped = await services.record(
            db_session,
            attempts,
            data.events,
            identity=identity,
            address=request.client.host if request.client else "unknown",
            signing_key=settings.signing_key,
        )
        return Response(
            EventsOut(accepted=accepted, dropped=dropped),
            status_code=HTTP_202_ACCEPTED,
            cookies=[cookie] if cookie else [],
        )


class FunnelController(Controller):
    path = "/api/v1/dashboard"
    tags = ["dashboard"]

    @get("/funnel")
    async def funnel(
        self,
        db_session: AsyncSession,
        shop: Merchant,
        period: Literal["today", "7d", "30d"] = "7d",
        note_id: int | None = Parameter(default=None, ge=1, le=2**53),
    ) -> FunnelOut:
        """Note views → tag taps → product views → add to cart → paid, in whole UTC days."""
        first, last, steps = await funnel.funnel(db_session, shop, period, note_id)
        return FunnelOut(
            period=period,
            first_day=first.isoformat(),
            last_day=last.isoformat(),
            note_id=note_id,
            steps=[StepOut(name=name, count=count) for name, count in steps],  # type: ignore[arg-type]
        )
