"""The one module that imports the Stripe SDK.

It talks to api.stripe.com with test keys, or to the local sandbox (localstripe) when no keys are
configured. Every call that can move money takes an idempotency key the caller stored first.
Responses are read defensively: the sandbox returns thinner objects than Stripe.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import stripe

from payments.errors import (
    PaymentDeclined,
    StripeAuthError,
    StripeFailure,
    StripeInvalidRequest,
    StripeNotFound,
    StripeRateLimited,
    StripeUnavailable,
)

T = TypeVar("T")

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


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge as Stripe has it now: what `charge.*` events are about."""

    id: str
    payment_intent_id: str | None
    amount: int
    amount_refunded: int
    currency: str
    refunds: tuple[RefundResult, ...] = ()


class SignatureError(Exception):
    """The webhook body or its Stripe-Signature header did not verify."""


def _data(obj: Any) -> dict[str, Any]:
    return dict(obj.to_dict() if hasattr(obj, "to_dict") else obj)


def _intent(obj: Any) -> Intent:
    data = _data(obj)
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


def _translate(error: stripe.StripeError) -> StripeFailure:
    """The one map from the SDK's exceptions to ours (see payments.errors)."""
    message = error.user_message if isinstance(error.user_message, str) else None
    if isinstance(error, stripe.CardError):
        return PaymentDeclined(message or "Your card was declined.")
    if isinstance(error, stripe.RateLimitError):
        return StripeRateLimited(retry_after=5)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return StripeAuthError()
    if isinstance(error, stripe.APIConnectionError):
        return StripeUnavailable(retry_after=5)
    status = error.http_status or 0
    if isinstance(error, stripe.IdempotencyError) or status == 409:
        # The same key is in use by a concurrent request: its outcome is not known yet, try later.
        return StripeUnavailable(retry_after=2)
    if status == 404 or error.code == "resource_missing":
        return StripeNotFound(message)
    if isinstance(error, stripe.InvalidRequestError) or 400 <= status < 500:
        return StripeInvalidRequest(message)
    if isinstance(error, stripe.APIError) or status >= 500:
        return StripeUnavailable(retry_after=5)  # Stripe's own trouble, or an answer that was not JSON
    return StripeFailure(message)


def _refund(data: dict[str, Any], amount: int = 0) -> RefundResult:
    return RefundResult(
        id=data["id"], status=data.get("status", "pending"), amount=int(data.get("amount", amount))
    )


def _charge(obj: Any) -> Charge:
    data = _data(obj)
    refunds = (data.get("refunds") or {}).get("data") or []
    return Charge(
        id=data["id"],
        payment_intent_id=data.get("payment_intent"),
        amount=int(data.get("amount", 0)),
        amount_refunded=int(data.get("amount_refunded", 0)),
        currency=str(data.get("currency", "")).upper(),
        refunds=tuple(_refund(item) for item in refunds),
    )


class StripeGateway:
    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        api_base: str | None,
        *,
        timeout_s: float = 10.0,
    ) -> None:
        base: Any = {"api": api_base} if api_base else None
        http = stripe.HTTPXClient(timeout=timeout_s)
        self.client = stripe.StripeClient(
            secret_key, base_addresses=base, http_client=http, max_network_retries=0
        )
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.js_url = f"{api_base}/js.stripe.com/v3/" if api_base else "https://js.stripe.com/v3/"
        self.local = api_base is not None

    async def _call(self, coro: Awaitable[Any], parse: Callable[[Any], T] = lambda obj: obj) -> T:
        """Await one Stripe call and read its answer; every failure leaves as a `StripeFailure`."""
        try:
            return parse(await coro)
        except stripe.StripeError as error:
            raise _translate(error) from error
        except (TimeoutError, httpx.HTTPError, OSError) as error:
            raise StripeUnavailable(retry_after=5) from error
        except (KeyError, TypeError, ValueError, AttributeError) as error:  # an answer we cannot read
            raise StripeFailure() from error

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
        return await self._call(
            self.client.v1.payment_intents.create_async(params=params, options=options), _intent
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
        return await self._call(confirmed, _intent)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return await self._call(self.client.v1.payment_intents.retrieve_async(intent_id), _intent)

    async def retrieve_charge(self, charge_id: str) -> Charge:
        return await self._call(self.client.v1.charges.retrieve_async(charge_id), _charge)

    async def cancel_intent(self, intent_id: str) -> None:
        with contextlib.suppress(StripeInvalidRequest):  # already succeeded or canceled
            await self._call(self.client.v1.payment_intents.cancel_async(intent_id))

    async def create_setup_intent(self, idempotency_key: str) -> tuple[str, str]:
        params: Any = {"payment_method_types": ["card"], "usage": "on_session"}
        created = self.client.v1.setup_intents.create_async(
            params=params, options={"idempotency_key": idempotency_key}
        )
        return await self._call(created, lambda obj: (str(obj.id), str(obj.client_secret)))

    async def setup_payment_method(self, setup_intent_id: str) -> str | None:
        data = await self._call(self.client.v1.setup_intents.retrieve_async(setup_intent_id), _data)
        return data.get("payment_method") if data.get("status") == "succeeded" else None

    async def card_from_token(self, token_id: str) -> str:
        """A chargeable payment method for a card collected with Stripe.js `createToken`.

        A token carries no authentication, so 3D Secure is asked once, when the PaymentIntent is
        confirmed. Stripe makes a PaymentMethod from it; the local server cannot (its PaymentMethod
        takes raw card numbers only) but charges the token's card id directly.
        """
        if self.local:
            token = await self._call(self.client.v1.tokens.retrieve_async(token_id), _data)
            return str((token.get("card") or {}).get("id") or "")
        params: Any = {"type": "card", "card": {"token": token_id}}
        return await self._call(
            self.client.v1.payment_methods.create_async(params=params), lambda obj: str(obj.id)
        )

    async def collected_card(
        self, *, card_token: str | None, setup_intent_id: str | None, payment_method: str | None
    ) -> str | None:
        """The chargeable payment method for a card collected any of the three ways; None: no card."""
        if card_token:
            return await self.card_from_token(card_token) or None
        if setup_intent_id:
            return await self.setup_payment_method(setup_intent_id)
        return payment_method or None

    async def refund(self, intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
        created = self.client.v1.refunds.create_async(
            params={"payment_intent": intent_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return await self._call(created, lambda obj: _refund(_data(obj), amount))

    async def recent_intents(self, limit: int = 100) -> list[Intent]:
        listed = self.client.v1.payment_intents.list_async(params={"limit": limit})
        return await self._call(listed, lambda page: [_intent(item) for item in page.data])

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
