"""Payment errors, as part of the application's tree (see shop.core.errors).

`payments.gateway` turns every failure of a Stripe call (the SDK's exceptions, httpx and socket
errors, a timeout, an answer we cannot read) into one of these, in one place; nothing outside the
gateway sees a `stripe` exception::

    AppError
     └── StripeFailure                  (502 payment_provider_error: an answer we did not expect)
          ├── PaymentDeclined           (402 payment_declined, the bank's message; = CardDeclined)
          ├── StripeNotFound            (502 payment_not_found: Stripe does not know the object)  *
          ├── StripeInvalidRequest      (400 payment_invalid_request: Stripe refused the request) *
          │    └── InsufficientBalance  (400 payment_insufficient_balance: the money is not there: a
          │                              transfer beyond what is left of its source charge, or a
          │                              reversal beyond the connected account's balance)        *
          ├── StripeAuthError           (502 payment_misconfigured: our API key was refused)
          └── StripeUnavailable         (503 payment_unavailable, Retry-After: 5xx, connection,
               │                         timeout; = PaymentGatewayUnavailable, a ServiceUnavailable)
               └── StripeRateLimited    (503 payment_rate_limited: Stripe's 429)

`retryable`: the same call may succeed later (StripeUnavailable and below). `permanent` (*): the
same call will fail the same way, so a job gives up on the item at once instead of backing off.
"""

from __future__ import annotations

from typing import ClassVar

from shop.core.errors import AppError, ServiceUnavailable
from shop.core.i18n import N_


class StripeFailure(AppError):
    status_code = 502
    code = "payment_provider_error"
    default_message = N_("The payment provider gave an unexpected answer. Nothing was charged.")
    retryable: ClassVar[bool] = False
    permanent: ClassVar[bool] = False


class PaymentDeclined(StripeFailure):
    status_code = 402
    code = "payment_declined"
    default_message = N_("Your card was declined.")
    permanent = True


CardDeclined = PaymentDeclined


class StripeNotFound(StripeFailure):
    code = "payment_not_found"
    default_message = N_("The payment provider does not know this payment.")
    permanent = True


class StripeInvalidRequest(StripeFailure):
    status_code = 400
    code = "payment_invalid_request"
    default_message = N_("The payment provider refused the request.")
    permanent = True


class InsufficientBalance(StripeInvalidRequest):
    """Stripe's `balance_insufficient` / `insufficient_funds`: the same call fails until money moves,
    so a settlement run nets the amount from a later run instead of retrying it."""

    code = "payment_insufficient_balance"
    default_message = N_("There is not enough balance to move this money.")


class StripeAuthError(StripeFailure):
    code = "payment_misconfigured"
    default_message = N_("Payments are not configured correctly. Nothing was charged.")


class StripeUnavailable(StripeFailure, ServiceUnavailable):
    status_code = 503
    code = "payment_unavailable"
    default_message = N_("Payments are unavailable right now. Nothing was charged; please try again shortly.")
    retryable = True


PaymentGatewayUnavailable = StripeUnavailable


class StripeRateLimited(StripeUnavailable):
    code = "payment_rate_limited"
    default_message = N_("Payments are busy right now. Nothing was charged; please try again shortly.")
