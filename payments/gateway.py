"""The one module that imports the Stripe SDK.

It talks to api.stripe.com with test keys, or to the local sandbox (localstripe) when no keys are
configured. Every call that can move money takes an idempotency key the caller stored first.
Responses are read defensively: the sandbox returns thinner objects than Stripe.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import stripe

from payments.errors import (
    InsufficientBalance,
    PaymentDeclined,
    StripeAuthError,
    StripeFailure,
    StripeInvalidRequest,
    StripeNotFound,
    StripeRateLimited,
    StripeUnavailable,
)
from payments.objects import (
    Charge,
    ConnectedAccount,
    Intent,
    RefundResult,
    Transfer,
    TransferReversal,
    data_of,
    latest_charge_id,
    read_account,
    read_charge,
    read_intent,
    read_refund,
    read_reversal,
    read_transfer,
)
from shop.core.i18n import N_

T = TypeVar("T")

SIGNATURE_TOLERANCE_S = 300
# What Stripe answers when the money to move is not there: a transfer beyond its source charge or
# the platform's balance, a reversal beyond the connected account's balance.
INSUFFICIENT_BALANCE_CODES = frozenset({"balance_insufficient", "insufficient_funds"})


class SignatureError(Exception):
    """The webhook body or its Stripe-Signature header did not verify."""


def _translate(error: stripe.StripeError) -> StripeFailure:
    """The one map from the SDK's exceptions to ours (see payments.errors)."""
    message = error.user_message if isinstance(error.user_message, str) else None
    if isinstance(error, stripe.CardError):
        return PaymentDeclined(message or N_("Your card was declined."))
    if isinstance(error, stripe.RateLimitError):
        return StripeRateLimited(retry_after=5)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return StripeAuthError()
    if isinstance(error, stripe.APIConnectionError):
        return StripeUnavailable(retry_after=5)
    status = error.http_status or 0
    if status == 409 or (isinstance(error, stripe.IdempotencyError) and status != 400):
        # The same key is in use by a concurrent request: its outcome is not known yet, try later.
        # (A key reused with other parameters is a 400: our bug, so it stays a permanent refusal.)
        return StripeUnavailable(retry_after=2)
    if status == 404 or error.code == "resource_missing":
        return StripeNotFound(message)
    if error.code in INSUFFICIENT_BALANCE_CODES:
        return InsufficientBalance(message)
    if isinstance(error, stripe.InvalidRequestError) or 400 <= status < 500:
        return StripeInvalidRequest(message)
    if isinstance(error, stripe.APIError) or status >= 500:
        return StripeUnavailable(retry_after=5)  # Stripe's own trouble, or an answer that was not JSON
    return StripeFailure(message)


def _page(obj: Any, read: Callable[[Any], T]) -> tuple[list[T], bool]:
    """One page of a Stripe list, and whether more follow."""
    data = data_of(obj)
    return [read(item) for item in data.get("data") or []], bool(data.get("has_more"))


class StripeGateway:
    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        api_base: str | None,
        *,
        timeout_s: float = 10.0,
        connect_webhook_secret: str | None = None,
    ) -> None:
        base: Any = {"api": api_base} if api_base else None
        http = stripe.HTTPXClient(timeout=timeout_s)
        self.client = stripe.StripeClient(
            secret_key, base_addresses=base, http_client=http, max_network_retries=0
        )
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        # Stripe signs a Connect endpoint's events (`account.updated`) with that endpoint's own secret.
        self.webhook_secrets = [webhook_secret, *([connect_webhook_secret] if connect_webhook_secret else [])]
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
        transfer_group: str | None = None,
    ) -> Intent:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": metadata,
            "payment_method_types": ["card"],
        }
        if transfer_group:  # ties the charge to the transfers that later pay its payees
            params["transfer_group"] = transfer_group
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
        options: Any = {"idempotency_key": idempotency_key}
        return await self._call(
            self.client.v1.payment_intents.create_async(params=params, options=options), read_intent
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
        return await self._call(confirmed, read_intent)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return await self._call(self.client.v1.payment_intents.retrieve_async(intent_id), read_intent)

    async def retrieve_charge(self, charge_id: str) -> Charge:
        return await self._call(self.client.v1.charges.retrieve_async(charge_id), read_charge)

    async def charge_of_intent(self, intent_id: str) -> str | None:
        """The id of the PaymentIntent's latest charge (a transfer's `source_transaction`); None: none yet."""
        return await self._call(self.client.v1.payment_intents.retrieve_async(intent_id), latest_charge_id)

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
        data = await self._call(self.client.v1.setup_intents.retrieve_async(setup_intent_id), data_of)
        return data.get("payment_method") if data.get("status") == "succeeded" else None

    async def card_from_token(self, token_id: str) -> str:
        """A chargeable payment method for a card collected with Stripe.js `createToken`.

        A token carries no authentication, so 3D Secure is asked once, when the PaymentIntent is
        confirmed. Stripe makes a PaymentMethod from it; the local server cannot (its PaymentMethod
        takes raw card numbers only) but charges the token's card id directly.
        """
        if self.local:
            token = await self._call(self.client.v1.tokens.retrieve_async(token_id), data_of)
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
        return await self._call(created, lambda obj: read_refund(data_of(obj), amount))

    async def recent_intents(self, limit: int = 100) -> list[Intent]:
        listed = self.client.v1.payment_intents.list_async(params={"limit": limit})
        return await self._call(listed, lambda page: [read_intent(item) for item in page.data])

    # Stripe Connect: payees' Express accounts, and separate charges and transfers (docs/architecture.md).

    async def create_account(
        self, *, email: str, country: str, idempotency_key: str, metadata: dict[str, str] | None = None
    ) -> ConnectedAccount:
        """An Express account that can receive transfers; it needs onboarding (`account_link`) first."""
        params: Any = {
            "type": "express",
            "country": country.upper(),
            "email": email,
            "capabilities": {"transfers": {"requested": True}},
            "metadata": metadata or {},
        }
        created = self.client.v1.accounts.create_async(
            params=params, options={"idempotency_key": idempotency_key}
        )
        return await self._call(created, read_account)

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        return await self._call(self.client.v1.accounts.retrieve_async(account_id), read_account)

    async def account_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        """A one-time onboarding URL (Stripe's, or the local server's own page); expires in minutes."""
        params: Any = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        created = self.client.v1.account_links.create_async(params=params)
        return await self._call(created, lambda obj: str(data_of(obj)["url"]))

    async def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str | None,
        source_transaction: str | None,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> Transfer:
        """Pay a connected account; with `source_transaction` the money comes from that charge, and
        Stripe refuses more than is left of it (`InsufficientBalance`)."""
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "metadata": metadata,
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        if source_transaction:
            params["source_transaction"] = source_transaction
        created = self.client.v1.transfers.create_async(
            params=params, options={"idempotency_key": idempotency_key}
        )
        return await self._call(created, read_transfer)

    async def retrieve_transfer(self, transfer_id: str) -> Transfer:
        return await self._call(self.client.v1.transfers.retrieve_async(transfer_id), read_transfer)

    async def list_transfers(self, transfer_group: str) -> list[Transfer]:
        """Every transfer of the group (all pages), in no particular order."""
        found: list[Transfer] = []
        params: Any = {"transfer_group": transfer_group, "limit": 100}
        while True:
            listed = self.client.v1.transfers.list_async(params=params)
            page, more = await self._call(listed, lambda obj: _page(obj, read_transfer))
            found += page
            if not more or not page:
                return found
            params = {**params, "starting_after": page[-1].id}

    async def reverse_transfer(
        self, transfer_id: str, *, amount: int, metadata: dict[str, str], idempotency_key: str
    ) -> TransferReversal:
        """Take `amount` back from the payee; refused (`InsufficientBalance`) when their balance is short."""
        created = self.client.v1.transfers.reversals.create_async(
            transfer_id,
            params={"amount": amount, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        return await self._call(created, lambda obj: read_reversal(obj, transfer_id))

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        if not signature:
            raise SignatureError("missing Stripe-Signature header")
        problem = "no webhook secret"
        for secret in self.webhook_secrets:
            try:
                event = stripe.Webhook.construct_event(payload, signature, secret, SIGNATURE_TOLERANCE_S)
            except (stripe.SignatureVerificationError, ValueError) as error:
                problem = str(error)
                continue
            return dict(event.to_dict())
        raise SignatureError(problem)
