"""POST /payments/stripe/webhook: the endpoint Stripe (or the local sandbox) calls."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, post
from sqlalchemy.ext.asyncio import AsyncSession

from payments import webhooks
from payments.gateway import SignatureError, StripeGateway
from shop.core.i18n import N_
from shop.core.retry import RetryPolicy


class StripeWebhookController(Controller):
    path = "/payments/stripe"
    include_in_schema = False

    @post("/webhook", media_type=MediaType.JSON)
    async def webhook(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        gateway: StripeGateway,
        webhook_handlers: webhooks.WebhookHandlers,
        retry_policy: RetryPolicy,
    ) -> Response[dict[str, Any]]:
        """Stored once, then tried once; whatever that try meets (Stripe does not know the object,
        Stripe is down, the order is not visible yet) is written on the event and answered 200:
        the event is ours now, and the sweeper (or an operator) takes it from there."""
        payload = await request.body()
        try:
            event = gateway.verify_event(payload, request.headers.get("stripe-signature"))
        except SignatureError:
            body = {"code": "invalid_signature", "message": N_("The webhook signature did not verify.")}
            return Response(body, status_code=400)
        stored = await webhooks.store(db_session, event)
        if stored is None:
            return Response({"received": True, "duplicate": True}, status_code=200)
        await db_session.commit()  # the event is ours now, whatever happens while applying it
        status = await webhooks.attempt(db_session, gateway, webhook_handlers, stored.id, retry_policy)
        return Response({"received": True, "status": status}, status_code=200)
