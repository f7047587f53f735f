"""A Connect endpoint signs with its own secret: events signed with either configured secret verify."""

from __future__ import annotations

import pytest

from payments.gateway import SignatureError, StripeGateway
from tests.payments_helpers import signed_event


def _gateway(connect_secret: str | None) -> StripeGateway:
    return StripeGateway(
        "sk_test_x", "pk_test_x", "whsec_platform", None, connect_webhook_secret=connect_secret
    )


def test_either_secret_verifies_and_no_other() -> None:
    gateway = _gateway("whsec_connect")
    for secret in ("whsec_platform", "whsec_connect"):
        body, headers = signed_event("pi_1", secret=secret)
        assert (
            gateway.verify_event(body, headers["Stripe-Signature"])["id"]
            == "evt_pi_1_payment_intent.succeeded"
        )
    body, headers = signed_event("pi_1", secret="whsec_someone_else")
    with pytest.raises(SignatureError):
        gateway.verify_event(body, headers["Stripe-Signature"])
    connect_body, connect_headers = signed_event("pi_1", secret="whsec_connect")
    with pytest.raises(SignatureError):  # without the Connect secret configured, it is refused
        _gateway(None).verify_event(connect_body, connect_headers["Stripe-Signature"])
