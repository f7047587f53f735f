"""Stripe Connect on the local Stripe server, through the gateway: Express accounts and their
onboarding page, PaymentIntents with a transfer group, transfers paid from a charge, reversals,
idempotency keys, the refusals the settlement must handle, and the signed events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from payments import errors
from payments.gateway import SignatureError, StripeGateway, Transfer
from shop.app import build_gateway
from shop.settings import Settings
from tests.helpers import free_port

EVENTS = ["account.updated", "transfer.created", "transfer.reversed"]


class Receiver:
    """A webhook endpoint that keeps the events whose signature verifies (and counts the others)."""

    def __init__(self, gateway: StripeGateway) -> None:
        self.gateway = gateway
        self.events: list[dict[str, Any]] = []
        self.unsigned = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        signature = dict(scope["headers"]).get(b"stripe-signature", b"").decode()
        try:
            self.events.append(self.gateway.verify_event(body, signature))
        except SignatureError:
            self.unsigned += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def wait_for(self, kind: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Delivery is asynchronous (the server waits a second first): poll for the event."""
        for _ in range(300):
            found = [e for e in self.events if e["type"] == kind and match(e["data"]["object"])]
            if found:
                return found[-1]["data"]["object"]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no signed {kind} event arrived")


@pytest.fixture
def gateway(settings: Settings) -> StripeGateway:
    return build_gateway(settings)


@pytest.fixture
async def receiver(
    gateway: StripeGateway, settings: Settings, stripe_sandbox: str
) -> AsyncIterator[Receiver]:
    listener = Receiver(gateway)
    port = free_port()
    config = uvicorn.Config(listener, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    hook = f"connect-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stripe_sandbox) as sandbox:
        form = {
            "url": f"http://127.0.0.1:{port}/",
            "secret": settings.stripe_signing_secret,
            "events[]": EVENTS,
        }
        assert (await sandbox.post(f"/_config/webhooks/{hook}", data=form)).status_code == 200
        try:
            yield listener
        finally:
            await sandbox.delete(f"/_config/webhooks/{hook}")
    server.should_exit = True
    await task
    assert listener.unsigned == 0


async def _sandbox_get(base: str, settings: Settings, path: str) -> dict[str, Any]:
    """What the local server holds, read past the gateway (fields the app does not read)."""
    async with httpx.AsyncClient(base_url=base) as api:
        answer = await api.get(path, headers={"Authorization": f"Bearer {settings.stripe_key}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _key() -> str:
    return uuid.uuid4().hex


async def _account(gateway: StripeGateway) -> str:
    account = await gateway.create_account(email="creator@example.test", country="us", idempotency_key=_key())
    return account.id


async def _paid_charge(gateway: StripeGateway, group: str, amount: int = 5000) -> tuple[str, str]:
    """A PaymentIntent of the group, paid: its id and its charge's."""
    intent = await gateway.create_intent(
        amount=amount,
        currency="USD",
        metadata={},
        idempotency_key=_key(),
        payment_method="pm_card_visa",
        transfer_group=group,
    )
    assert intent.status == "succeeded"
    charge = await gateway.charge_of_intent(intent.id)
    assert charge is not None
    return intent.id, charge


async def _transfer(
    gateway: StripeGateway, account: str, charge: str, group: str, amount: int, key: str = ""
) -> Transfer:
    return await gateway.create_transfer(
        amount=amount,
        currency="USD",
        destination=account,
        transfer_group=group,
        source_transaction=charge,
        metadata={"order_id": "7"},
        idempotency_key=key or _key(),
    )


async def test_an_express_account_is_onboarded_on_the_local_page(
    gateway: StripeGateway, receiver: Receiver
) -> None:
    key = _key()
    created = await gateway.create_account(
        email="creator@example.test", country="us", idempotency_key=key, metadata={"user_id": "12"}
    )
    assert (created.payouts_enabled, created.details_submitted, created.charges_enabled) == (False,) * 3
    assert created.metadata == {"user_id": "12"}
    again = await gateway.create_account(
        email="creator@example.test", country="us", idempotency_key=key, metadata={"user_id": "12"}
    )
    assert again.id == created.id
    url = await gateway.account_link(
        created.id, refresh_url="http://app.test/refresh", return_url="http://app.test/return"
    )
    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
        assert page.status_code == 200
        assert "Complete onboarding" in page.text
        assert f'<form method="post" action="{httpx.URL(url).raw_path.decode()}">' in page.text
        assert (await gateway.retrieve_account(created.id)).payouts_enabled is False
        done = await browser.post(url)
        assert done.status_code == 303
        assert done.headers["location"] == "http://app.test/return"
        used = await browser.get(url)  # a link serves once: the app makes a new one from refresh_url
        assert used.status_code == 303
        assert used.headers["location"] == "http://app.test/refresh"
    account = await gateway.retrieve_account(created.id)
    assert (account.payouts_enabled, account.details_submitted, account.charges_enabled) == (True,) * 3
    event = await receiver.wait_for(
        "account.updated", lambda obj: obj["id"] == created.id and obj["payouts_enabled"]
    )
    assert event["details_submitted"] is True


async def test_an_unknown_link_is_404_and_a_disabled_payee_is_announced(
    gateway: StripeGateway, receiver: Receiver, stripe_sandbox: str, settings: Settings
) -> None:
    account_id = await _account(gateway)
    url = await gateway.account_link(account_id, refresh_url="http://a.test/r", return_url="http://a.test/d")
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url.replace("token=", "token=x"))).status_code == 404
        assert (await browser.post(url)).status_code == 303
        disabled = await browser.post(f"{stripe_sandbox}/_connect/accounts/{account_id}/disable")
        assert disabled.status_code == 200
    account = await gateway.retrieve_account(account_id)
    assert account.payouts_enabled is False
    assert account.details_submitted is True
    await receiver.wait_for(
        "account.updated",
        lambda obj: obj["id"] == account_id and obj["details_submitted"] and not obj["payouts_enabled"],
    )
    with pytest.raises(errors.StripeNotFound):
        await gateway.retrieve_account("acct_unknown")
    async with httpx.AsyncClient(base_url=stripe_sandbox) as api:
        updated = await api.post(
            f"/v1/accounts/{account_id}",
            data={"metadata[user_id]": "12"},
            headers={"Authorization": f"Bearer {settings.stripe_key}"},
        )
        assert updated.status_code == 200, updated.text
    assert (await gateway.retrieve_account(account_id)).metadata == {"user_id": "12"}


async def test_transfers_are_paid_from_their_charge_and_never_beyond_it(
    gateway: StripeGateway, receiver: Receiver, stripe_sandbox: str, settings: Settings
) -> None:
    group = f"order_{_key()[:10]}"
    account_id = await _account(gateway)
    intent_id, charge_id = await _paid_charge(gateway, group)
    assert (await _sandbox_get(stripe_sandbox, settings, f"/v1/charges/{charge_id}"))[
        "transfer_group"
    ] == group
    assert (await _sandbox_get(stripe_sandbox, settings, f"/v1/payment_intents/{intent_id}"))[
        "transfer_group"
    ] == group
    await gateway.refund(intent_id, 1000, _key())
    key = _key()
    first = await _transfer(gateway, account_id, charge_id, group, 2500, key)
    assert (first.amount, first.currency, first.destination) == (2500, "USD", account_id)
    assert (first.transfer_group, first.source_transaction, first.amount_reversed) == (group, charge_id, 0)
    assert first.metadata == {"order_id": "7"}
    assert await _transfer(gateway, account_id, charge_id, group, 2500, key) == first  # the same key
    with pytest.raises(errors.InsufficientBalance):  # 5000 charged, 1000 refunded, 2500 sent: 1500 left
        await _transfer(gateway, account_id, charge_id, group, 1501)
    with pytest.raises(errors.StripeInvalidRequest) as reused:  # the key of another transfer
        await _transfer(gateway, account_id, charge_id, group, 100, key)
    assert not reused.value.retryable
    second = await _transfer(gateway, account_id, charge_id, group, 1500)
    assert {t.id for t in await gateway.list_transfers(group)} == {first.id, second.id}
    assert await gateway.list_transfers(f"{group}_other") == []
    assert await gateway.retrieve_transfer(first.id) == first
    with pytest.raises(errors.StripeNotFound):
        await _transfer(gateway, "acct_nobody", charge_id, group, 1)
    created = await receiver.wait_for("transfer.created", lambda obj: obj["id"] == second.id)
    assert (created["amount"], created["source_transaction"]) == (1500, charge_id)


async def test_reversals_take_back_what_is_left_and_fail_on_a_short_balance(
    gateway: StripeGateway, receiver: Receiver, stripe_sandbox: str
) -> None:
    group = f"order_{_key()[:10]}"
    account_id = await _account(gateway)
    _, charge_id = await _paid_charge(gateway, group, amount=4000)
    transfer = await _transfer(gateway, account_id, charge_id, group, 4000)
    key = _key()
    reversal = await gateway.reverse_transfer(
        transfer.id, amount=1500, metadata={"refund_id": "3"}, idempotency_key=key
    )
    assert (reversal.amount, reversal.transfer_id, reversal.metadata) == (
        1500,
        transfer.id,
        {"refund_id": "3"},
    )
    again = await gateway.reverse_transfer(
        transfer.id, amount=1500, metadata={"refund_id": "3"}, idempotency_key=key
    )
    assert again == reversal
    assert (await gateway.retrieve_transfer(transfer.id)).amount_reversed == 1500
    reversed_event = await receiver.wait_for("transfer.reversed", lambda obj: obj["id"] == transfer.id)
    assert reversed_event["amount_reversed"] == 1500
    with pytest.raises(errors.StripeInvalidRequest) as too_much:  # 2500 left of the transfer
        await gateway.reverse_transfer(transfer.id, amount=2501, metadata={}, idempotency_key=_key())
    assert not isinstance(too_much.value, errors.InsufficientBalance)
    # What a reversal gives back to the charge can be sent again.
    assert (await _transfer(gateway, account_id, charge_id, group, 1500)).amount == 1500
    with pytest.raises(errors.InsufficientBalance):
        await _transfer(gateway, account_id, charge_id, group, 1)
    async with httpx.AsyncClient(base_url=stripe_sandbox) as sandbox:
        hook = await sandbox.post(f"/_connect/accounts/{account_id}/balance", data={"available": 700})
        assert hook.status_code == 200
    short = _key()
    with pytest.raises(errors.InsufficientBalance):
        await gateway.reverse_transfer(transfer.id, amount=701, metadata={}, idempotency_key=short)
    with pytest.raises(errors.InsufficientBalance):  # Stripe replays a refusal for its key
        await gateway.reverse_transfer(transfer.id, amount=701, metadata={}, idempotency_key=short)
    assert (await gateway.retrieve_transfer(transfer.id)).amount_reversed == 1500
    last = await gateway.reverse_transfer(transfer.id, amount=700, metadata={}, idempotency_key=_key())
    assert last.amount == 700
    assert (await gateway.retrieve_transfer(transfer.id)).amount_reversed == 2200
    with pytest.raises(errors.InsufficientBalance):  # the balance is spent now
        await gateway.reverse_transfer(transfer.id, amount=1, metadata={}, idempotency_key=_key())


async def test_an_intent_without_a_group_and_one_not_paid_yet(
    gateway: StripeGateway, settings: Settings, stripe_sandbox: str
) -> None:
    intent = await gateway.create_intent(amount=900, currency="EUR", metadata={}, idempotency_key=_key())
    assert await gateway.charge_of_intent(intent.id) is None
    assert (await _sandbox_get(stripe_sandbox, settings, f"/v1/payment_intents/{intent.id}"))[
        "transfer_group"
    ] is None
