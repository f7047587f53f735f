"""The Stripe error tree: every failure of a Stripe call arrives as one typed error, and the local
Stripe server sends the `charge.refunded` event real Stripe would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import errors
from payments.gateway import StripeGateway
from payments.models import EventStatus, PaymentEvent
from shop.settings import Settings
from tests.helpers import ADDRESS, Client, make_product
from tests.stripe_edge import HANG, FlakyStripe, closed_port_url, stripe_error


@pytest.fixture
async def flaky(stripe_sandbox: str) -> AsyncIterator[FlakyStripe]:
    async with FlakyStripe(stripe_sandbox) as edge:
        yield edge


def _gateway(settings: Settings, base: str, timeout_s: float = 10.0) -> StripeGateway:
    return StripeGateway(settings.stripe_key, "pk_test_x", "whsec_x", base, timeout_s=timeout_s)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (stripe_error(402, "card_error", "card_declined"), errors.PaymentDeclined),
        (stripe_error(404, "invalid_request_error", "resource_missing"), errors.StripeNotFound),
        (stripe_error(400, "invalid_request_error"), errors.StripeInvalidRequest),
        # The key is in use by a concurrent request: its outcome is unknown yet, so ask again later.
        (stripe_error(409, "idempotency_error"), errors.StripeUnavailable),
        (stripe_error(429, "rate_limit_error", "rate_limit"), errors.StripeRateLimited),
        (stripe_error(401, "invalid_request_error"), errors.StripeAuthError),
        (stripe_error(403, "invalid_request_error"), errors.StripeAuthError),
        (stripe_error(500), errors.StripeUnavailable),
        (stripe_error(503), errors.StripeUnavailable),
        ((502, "<html>bad gateway</html>"), errors.StripeUnavailable),
        ((200, '{"object": "payment_intent"}'), errors.StripeFailure),
        ((HANG, None), errors.StripeUnavailable),
    ],
)
async def test_every_stripe_failure_maps_to_one_typed_error(
    answer: tuple[int, Any], expected: type[errors.StripeFailure], settings: Settings, flaky: FlakyStripe
) -> None:
    status, body = answer
    flaky.fail("/v1/payment_intents/pi_edge", status, body)
    with pytest.raises(errors.StripeFailure) as caught:
        await _gateway(settings, flaky.url, timeout_s=0.5).retrieve_intent("pi_edge")
    assert type(caught.value) is expected
    assert caught.value.retryable == issubclass(expected, errors.StripeUnavailable)


async def test_declines_keep_the_banks_message_and_old_names_still_work(
    settings: Settings, flaky: FlakyStripe
) -> None:
    assert errors.CardDeclined is errors.PaymentDeclined
    assert errors.PaymentGatewayUnavailable is errors.StripeUnavailable
    flaky.fail("POST /v1/payment_intents", 402, stripe_error(402, "card_error", "card_declined")[1])
    with pytest.raises(errors.PaymentDeclined) as caught:
        await _gateway(settings, flaky.url).create_intent(
            amount=100, currency="USD", metadata={}, idempotency_key="k", payment_method="pm_card_visa"
        )
    assert caught.value.status_code == 402
    assert caught.value.message == "fake 402 from the network edge"


async def test_a_closed_port_and_the_real_servers_unknown_intent(
    settings: Settings, stripe_sandbox: str
) -> None:
    with pytest.raises(errors.StripeUnavailable):
        await _gateway(settings, closed_port_url()).retrieve_intent("pi_anything")
    with pytest.raises(errors.StripeNotFound):
        await _gateway(settings, stripe_sandbox).retrieve_intent("pi_unknown_to_the_sandbox")


async def _paid_order(shopper: Client, merchant: Client) -> tuple[int, str]:
    product = await make_product(merchant, f"Oolong {uuid.uuid4().hex[:6]}", stock=5, price=2400)
    variant_id = product["variants"][0]["id"]
    assert (
        await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 1})
    ).status_code == 201
    checkout = (await shopper.post("/api/v1/checkout", json={"shipping_address": ADDRESS})).json()
    pay = await shopper.post(
        f"/api/v1/orders/{checkout['order_id']}/pay", json={"payment_method": "pm_card_visa"}
    )
    assert pay.status_code == 200, pay.text
    return checkout["order_id"], checkout["payment"]["payment_intent_id"]


@pytest.fixture
def settings(base_settings: Settings, flaky: FlakyStripe) -> Settings:
    """The app's Stripe calls go through the edge, so a test can close it (Stripe unreachable)."""
    return base_settings.model_copy(
        update={"redis_prefix": f"zc-test-{uuid.uuid4().hex[:8]}", "stripe_api_base": flaky.url}
    )


async def test_order_reads_are_200_with_the_last_known_state_when_stripe_is_unreachable(
    shopper: Client, merchant: Client, flaky: FlakyStripe
) -> None:
    product = await make_product(merchant, "Pu-erh cake", stock=5, price=3200)
    variant_id = product["variants"][0]["id"]
    await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 1})
    order_id = (await shopper.post("/api/v1/checkout", json={"shipping_address": ADDRESS})).json()["order_id"]
    await flaky.__aexit__(None, None, None)  # Stripe is gone: its port is closed
    shown = await shopper.get(f"/api/v1/orders/{order_id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "pending_payment"
    assert (await shopper.get(f"/orders/{order_id}")).status_code == 200
    assert (await shopper.get(f"/orders/{order_id}/pay")).status_code == 200


async def test_sandbox_sends_charge_refunded_signed_and_it_is_stored_once(
    shopper: Client,
    merchant: Client,
    db: AsyncSession,
    served: str,
    settings: Settings,
    stripe_sandbox: str,
) -> None:
    hook = f"test-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stripe_sandbox) as sandbox:
        registered = await sandbox.post(
            f"/_config/webhooks/{hook}",
            data={
                "url": f"{served}/payments/stripe/webhook",
                "secret": settings.stripe_signing_secret,
                "events[]": ["charge.refunded"],
            },
        )
        assert registered.status_code == 200, registered.text
        try:
            order_id, intent_id = await _paid_order(shopper, merchant)
            for amount in (500, 700):
                refund = await merchant.post(
                    f"/api/v1/orders/{order_id}/refunds", json={"amount": amount, "reason": "chipped"}
                )
                assert refund.status_code == 201, refund.text
                await _wait_for_events(db, "charge.refunded", 1 if amount == 500 else 2)
        finally:
            await sandbox.delete(f"/_config/webhooks/{hook}")
    stored = (
        await db.scalars(
            select(PaymentEvent).where(PaymentEvent.type == "charge.refunded").order_by(PaymentEvent.id)
        )
    ).all()
    assert len(stored) == 2
    assert len({event.event_id for event in stored}) == 2
    charges = [event.payload["data"]["object"] for event in stored]
    assert [charge["payment_intent"] for charge in charges] == [intent_id, intent_id]
    assert [charge["amount_refunded"] for charge in charges] == [500, 1200]
    assert [len(charge["refunds"]["data"]) for charge in charges] == [1, 2]
    assert all(event.payment_intent_id == intent_id for event in stored)
    assert all(event.status == EventStatus.PROCESSED for event in stored)


async def _wait_for_events(db: AsyncSession, kind: str, count: int) -> None:
    """Delivery is asynchronous (localstripe waits a second): poll until it is there."""
    for _ in range(300):
        db.expire_all()
        stored = (await db.scalars(select(PaymentEvent).where(PaymentEvent.type == kind))).all()
        if sum(event.status != EventStatus.PENDING for event in stored) >= count:  # stored, then tried
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} {kind} event(s) never arrived")
