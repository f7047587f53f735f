"""The one module that imports the Stripe SDK.

It talks to api.stripe.com with test keys, or to the local sandbox (localstripe) when no keys are
configured. Every call that can move money takes an idempotency key the caller stored first.
Responses are read defensively: the sandbox returns thinner objects than Stripe.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import stripe

from payments.errors import PaymentDeclined, PaymentGatewayUnavailable

SIGNATURE_TOLERANCE_S = 300


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str
    metadata: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None
    created: int = 0


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    status: str
    amount: int


class SignatureError(Exception):
    """The webhook body or its Stripe-Signature header did not verify."""


def _intent(obj: Any) -> Intent:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"],
        status=data.get("status", "unknown"),
        amount=int(data.get("amount", 0)),
        currency=str(data.get("currency", "")).upper(),
        client_secret=data.get("client_secret") or "",
        metadata=dict(data.get("metadata") or {}),
        error_message=error.get("message"),
        created=int(data.get("created") or 0),
    )


class StripeGateway:
    def __init__(
        self, secret_key: str, publishable_key: str, webhook_secret: str, api_base: str | None
    ) -> None:
        base: Any = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key, base_addresses=base, http_client=stripe.HTTPXClient(timeout=10), max_network_retries=0
        )
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.js_url = f"{api_base}/js.stripe.com/v3/" if api_base else "https://js.stripe.com/v3/"
        self.local = api_base is not None

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except stripe.CardError as error:
            raise PaymentDeclined(error.user_message or "Your card was declined.") from None
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
            raise PaymentGatewayUnavailable(retry_after=5) from error

    async def create_intent(
        self,
        *,
        amount: int,
        currency: str,
        metadata: dict[str, str],
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Intent:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": metadata,
            "payment_method_types": ["card"],
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
        options: Any = {"idempotency_key": idempotency_key}
        return _intent(
            await self._call(self.client.v1.payment_intents.create_async(params=params, options=options))
        )

    async def confirm_with(self, intent_id: str, payment_method: str, idempotency_key: str) -> Intent:
        """Attach the collected card and confirm; the card may still need 3DS (requires_action)."""
        await self._call(
            self.client.v1.payment_intents.update_async(
                intent_id,
                params={"payment_method": payment_method},
                options={"idempotency_key": idempotency_key + "-pm"},
            )
        )
        confirmed = self.client.v1.payment_intents.confirm_async(
            intent_id, options={"idempotency_key": idempotency_key + "-confirm"}
        )
        return _intent(await self._call(confirmed))

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return _intent(await self._call(self.client.v1.payment_intents.retrieve_async(intent_id)))

    async def cancel_intent(self, intent_id: str) -> None:
        with contextlib.suppress(stripe.InvalidRequestError):  # already succeeded or canceled
            await self._call(self.client.v1.payment_intents.cancel_async(intent_id))

    async def create_setup_intent(self, idempotency_key: str) -> tuple[str, str]:
        params: Any = {"payment_method_types": ["card"], "usage": "on_session"}
        created = await self._call(
            self.client.v1.setup_intents.create_async(
                params=params,
                options={"idempotency_key": idempotency_key},
            )
        )
        return created.id, created.client_secret

    async def setup_payment_method(self, setup_intent_id: str) -> str | None:
        setup = await self._call(self.client.v1.setup_intents.retrieve_async(setup_intent_id))
        data = setup.to_dict()
        return data.get("payment_method") if data.get("status") == "succeeded" else None

    async def card_from_token(self, token_id: str) -> str:
        """A chargeable payment method for a card collected with Stripe.js `createToken`.

        A token carries no authentication, so 3D Secure is asked once, when the PaymentIntent is
        confirmed. Stripe makes a PaymentMethod from it; the local server cannot (its PaymentMethod
        takes raw card numbers only) but charges the token's card id directly.
        """
        if self.local:
            token = await self._call(self.client.v1.tokens.retrieve_async(token_id))
            card = token.to_dict().get("card") or {}
            return str(card.get("id") or "")
        params: Any = {"type": "card", "card": {"token": token_id}}
        created = await self._call(self.client.v1.payment_methods.create_async(params=params))
        return str(created.id)

    async def refund(self, intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
        created = await self._call(
            self.client.v1.refunds.create_async(
                params={"payment_intent": intent_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        )
        data = created.to_dict()
        return RefundResult(
            id=data["id"], status=data.get("status", "pending"), amount=int(data.get("amount", amount))
        )

    async def recent_intents(self, limit: int = 100) -> list[Intent]:
        page = await self._call(self.client.v1.payment_intents.list_async(params={"limit": limit}))
        return [_intent(item) for item in page.data]

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        if not signature:
            raise SignatureError("missing Stripe-Signature header")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, SIGNATURE_TOLERANCE_S
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise SignatureError(str(error)) from None
        return dict(event.to_dict())
