"""Payment errors, as part of the application's tree (see shop.core.errors)::

AppError
 ├── PaymentDeclined            (402 payment_declined: the card said no; retry with another)
 └── ServiceUnavailable
      └── PaymentGatewayUnavailable  (503 payment_unavailable, Retry-After: Stripe unreachable)
"""

from __future__ import annotations

from shop.core.errors import AppError, ServiceUnavailable


class PaymentDeclined(AppError):
    status_code = 402
    code = "payment_declined"
    default_message = "Your card was declined."


class PaymentGatewayUnavailable(ServiceUnavailable):
    code = "payment_unavailable"
    default_message = "Payments are unavailable right now. Nothing was charged; please try again shortly."
