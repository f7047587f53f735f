"""POST /payments/stripe/webhook: the endpoint Stripe (or the local sandbox) calls."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, MediaType, Request, Response, post
from sqlalchemy.ext.asyncio import AsyncSession

from payments import webhooks
from payments.gateway import SignatureError, StripeGateway
from shop.core.errors import AppError

log = logging.getLogger("zhongcao.payments")


class StripeWebhookController(Controller):
    path = "/payments/stripe"
    include_in_schema = False

    @post("/webhook", media_type=MediaType.JSON)
    async def webhook(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, gateway: StripeGateway
    ) -> Response[dict[str, Any]]:
        payload = await request.body()
        try:
            event = gateway.verify_event(payload, request.headers.get("stripe-signature"))
        except SignatureError:
            body = {"code": "invalid_signature", "message": "The webhook signature did not verify."}
            return Response(body, status_code=400)
        stored = await webhooks.store(db_session, event)
        if stored is None:
            return Response({"received": True, "duplicate": True}, status_code=200)
        await db_session.commit()  # the event is ours now, whatever happens while applying it
        try:
            await webhooks.apply(db_session, gateway, stored)
        except AppError as error:
            await db_session.rollback()
            log.warning("event %s stored, not applied yet: %s", event["id"], error.message)
        return Response({"received": True}, status_code=200)
