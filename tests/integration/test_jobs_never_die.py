"""Jobs that never die (issue 9): one bad item is written down and skipped, never the end of a job.

Stripe is the real local server behind `FlakyStripe`, a pass-through at the network edge that
answers errors (or nothing) for the calls a test names. Time moves with `shop.core.clock`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from live.flash_sales import jobs as sale_jobs
from live.flash_sales.gate import RedisGate
from live.flash_sales.models import FlashSale
from payments.gateway import StripeGateway
from payments.models import EventStatus, PaymentAttempt, PaymentEvent, Refund
from shop.core import clock, redis
from shop.core.retry import RetryPolicy
from shop.orders import jobs
from shop.orders.models import Order
from shop.settings import Settings
from tests.helpers import ADDRESS, ROOT, Client, free_port, make_product
from tests.live_helpers import launch_sale, live_room
from tests.payments_helpers import signed_event
from tests.stripe_edge import FlakyStripe, stripe_error

POLICY = RetryPolicy(max_attempts=3, base_s=60)


@pytest.fixture
async def flaky(stripe_sandbox: str) -> AsyncIterator[FlakyStripe]:
    async with FlakyStripe(stripe_sandbox) as edge:
        yield edge


@pytest.fixture
def settings(base_settings: Settings, flaky: FlakyStripe) -> Settings:
    return base_settings.model_copy(
        update={"redis_prefix": f"zc-test-{uuid.uuid4().hex[:8]}", "stripe_api_base": flaky.url}
    )


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    yield
    clock.reset()


def _ctx(app: Litestar) -> tuple[Any, Any, Any]:
    deps = app.dependencies
    gateway = deps["gateway"].dependency()  # type: ignore[attr-defined]
    return app.state["sessions"], gateway, app.state["order_events"]


async def _pending_order(shopper: Client, merchant: Client) -> tuple[int, str]:
    product = await make_product(merchant, f"Tea {uuid.uuid4().hex[:6]}", stock=5, price=1800)
    added = await shopper.post(
        "/api/v1/cart/lines", json={"variant_id": product["variants"][0]["id"], "quantity": 1}
    )
    assert added.status_code == 201, added.text
    checkout = await shopper.post("/api/v1/checkout", json={"shipping_address": ADDRESS})
    assert checkout.status_code == 201, checkout.text
    body = checkout.json()
    return body["order_id"], body["payment"]["payment_intent_id"]


async def _status(db: AsyncSession, model: Any, row_id: int) -> Any:
    return await db.scalar(select(model).where(model.id == row_id).execution_options(populate_existing=True))


async def _attempt(db: AsyncSession, order_id: int) -> PaymentAttempt:
    attempt = await db.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_id)
        .execution_options(populate_existing=True)
    )
    assert attempt is not None
    return attempt


async def test_unknown_intent_webhook_is_2xx_failed_once_and_holds_still_expire(
    anonymous: Client, shopper: Client, merchant: Client, app: Litestar, db: AsyncSession
) -> None:
    body, headers = signed_event("pi_unknown_to_stripe", event_id="evt_unknown_pi")
    answer = await anonymous.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "failed"
    event = await db.scalar(select(PaymentEvent).where(PaymentEvent.event_id == "evt_unknown_pi"))
    assert event is not None
    assert (event.status, event.failures) == (EventStatus.FAILED, 1)
    assert event.last_error is not None
    assert "StripeNotFound" in event.last_error
    sessions, gateway, events = _ctx(app)
    clock.advance(timedelta(hours=3))
    handlers = app.state["webhook_handlers"]
    assert await jobs.retry_events(sessions, gateway, handlers) == 0  # failed: not retried forever

    order_id, _ = await _pending_order(shopper, merchant)
    clock.advance(timedelta(minutes=11))
    assert await jobs.expire_holds(sessions, gateway, events) == 1
    order = await _status(db, Order, order_id)
    assert order.status == "canceled"
    event = await _status(db, PaymentEvent, event.id)
    assert event.apply_attempts == 1


async def test_stripe_forgot_a_pending_order_page_shows_it_and_the_hold_expires(
    shopper: Client, merchant: Client, app: Litestar, db: AsyncSession
) -> None:
    """As after a restart of the local Stripe server: the stored intent id is unknown to Stripe."""
    order_id, _intent_id = await _pending_order(shopper, merchant)
    gone = f"pi_forgotten{uuid.uuid4().hex[:10]}"
    attempt = await _attempt(db, order_id)
    attempt.payment_intent_id = gone
    await db.commit()
    shown = await shopper.get(f"/api/v1/orders/{order_id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "pending_payment"
    assert (await shopper.get(f"/orders/{order_id}")).status_code == 200
    sessions, gateway, events = _ctx(app)
    clock.advance(timedelta(minutes=11))
    assert await jobs.expire_holds(sessions, gateway, events) == 1
    assert (await _status(db, Order, order_id)).status == "canceled"


@pytest.mark.parametrize("status", [500, 400, -1])
async def test_expire_holds_records_a_stripe_failure_and_goes_on(
    status: int,
    settings: Settings,
    shopper: Client,
    other_shopper: Client,
    merchant: Client,
    app: Litestar,
    db: AsyncSession,
    flaky: FlakyStripe,
) -> None:
    first_id, first_intent = await _pending_order(shopper, merchant)
    second_id, _ = await _pending_order(other_shopper, merchant)
    flaky.fail(first_intent, status, stripe_error(max(status, 500))[1])
    sessions, gateway, events = _ctx(app)
    # A Stripe that never answers (-1): a short timeout ends the wait, as the 10 s default would.
    gateway = StripeGateway(settings.stripe_key, "pk_test_x", "whsec_x", flaky.url, timeout_s=0.5)
    clock.advance(timedelta(minutes=11))
    assert await jobs.expire_holds(sessions, gateway, events, POLICY) == 1
    assert (await _status(db, Order, first_id)).status == "pending_payment"  # undecided: kept
    assert (await _status(db, Order, second_id)).status == "canceled"
    attempt = await _attempt(db, first_id)
    assert attempt.failures == 1
    assert attempt.last_error is not None
    assert "Stripe" in attempt.last_error
    flaky.rules.clear()
    assert await jobs.expire_holds(sessions, gateway, events, POLICY) == 1  # first retry: next pass
    assert (await _status(db, Order, first_id)).status == "canceled"


async def _paid_at_stripe_only(shopper: Client, merchant: Client, app: Litestar) -> tuple[int, str]:
    """An order whose PaymentIntent succeeded while the app heard nothing of it yet."""
    order_id, intent_id = await _pending_order(shopper, merchant)
    _, gateway, _ = _ctx(app)
    await gateway.confirm_with(intent_id, "pm_card_visa", f"test-{intent_id}")
    return order_id, intent_id


async def test_poison_event_fails_after_n_tries_and_is_listed_for_operators(
    anonymous: Client,
    shopper: Client,
    merchant: Client,
    app: Litestar,
    db: AsyncSession,
    flaky: FlakyStripe,
    settings: Settings,
) -> None:
    order_id, intent_id = await _paid_at_stripe_only(shopper, merchant, app)
    flaky.fail(f"GET /v1/payment_intents/{intent_id}", 500)
    event_id = f"evt_poison_{uuid.uuid4().hex[:8]}"
    body, headers = signed_event(intent_id, event_id=event_id)
    answer = await anonymous.post("/payments/stripe/webhook", content=body, headers=headers, csrf=False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "pending"  # Stripe down: kept, to be retried
    sessions, gateway, _ = _ctx(app)
    policy = RetryPolicy(max_attempts=settings.job_max_attempts, base_s=settings.job_retry_base_s)
    for _ in range(policy.max_attempts - 1):
        clock.advance(timedelta(hours=2))  # past any backoff
        assert await jobs.retry_events(sessions, gateway, app.state["webhook_handlers"], policy) == 0
    event = await db.scalar(
        select(PaymentEvent)
        .where(PaymentEvent.event_id == event_id)
        .execution_options(populate_existing=True)
    )
    assert event is not None
    assert (event.status, event.failures, event.apply_attempts) == ("failed", 8, 8)
    assert await jobs.retry_events(sessions, gateway, app.state["webhook_handlers"], policy) == 0
    assert (await _status(db, Order, order_id)).status == "pending_payment"

    env = {**os.environ, "DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key}
    listed = subprocess.run(
        [sys.executable, "-m", "shop", "events", "--failed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [line for line in listed.stdout.splitlines() if event_id in line]
    assert len(lines) == 1, listed.stdout + listed.stderr
    assert "payment_intent.succeeded" in lines[0]
    assert "attempts=8" in lines[0]
    assert "StripeUnavailable" in lines[0]


async def test_send_refunds_backs_off_one_refund_and_sends_the_next(
    shopper: Client,
    other_shopper: Client,
    merchant: Client,
    app: Litestar,
    db: AsyncSession,
    flaky: FlakyStripe,
    clock: ModuleType,
) -> None:
    paid = []
    for buyer in (shopper, other_shopper):
        order_id, intent_id = await _pending_order(buyer, merchant)
        pay = await buyer.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
        assert pay.status_code == 200, pay.text
        paid.append((order_id, intent_id))
    (first_order, first_intent), (second_order, second_intent) = paid
    flaky.fail(f"payment_intent={first_intent}", 503)
    flaky.fail(f"payment_intent={second_intent}", 503)
    for order_id in (first_order, second_order):
        queued = await merchant.post(f"/api/v1/orders/{order_id}/refunds", json={"reason": "damaged"})
        assert queued.status_code == 202, queued.text  # queued, not "try again": that would refund twice
        assert queued.json()["status"] == "pending"
    stored = (await db.scalars(select(Refund).order_by(Refund.id))).all()
    assert [r.status for r in stored] == ["pending", "pending"]  # undecided: kept with their keys
    del flaky.rules[f"payment_intent={second_intent}"]
    clock.advance(timedelta(minutes=1))  # past the moments a new refund is its request's to send
    sessions, gateway, events = _ctx(app)
    assert await jobs.send_refunds(sessions, gateway, events, POLICY) == 1
    first, second = [await _status(db, Refund, r.id) for r in stored]
    assert (first.status, first.failures) == ("pending", 1)
    assert first.last_error is not None
    assert "StripeUnavailable" in first.last_error
    assert second.status == "succeeded"
    flaky.rules.clear()
    assert await jobs.send_refunds(sessions, gateway, events, POLICY) == 1
    assert (await _status(db, Refund, first.id)).status == "succeeded"


async def test_reconcile_writes_down_an_intent_stripe_cannot_answer_for_and_goes_on(
    app: Litestar, flaky: FlakyStripe, shopper: Client, merchant: Client, db: AsyncSession
) -> None:
    """Reconciliation asks for each open intent by id: one Stripe fails on is written on its attempt
    (with a backoff), the next is repaired in the same run, and a later run repairs the first."""
    (first, first_intent), (second, _) = [await _paid_at_stripe_only(shopper, merchant, app) for _ in "ab"]
    flaky.fail(f"GET /v1/payment_intents/{first_intent}", 500)
    sessions, gateway, events = _ctx(app)
    assert await jobs.reconcile(sessions, gateway, events, POLICY) == 1
    attempt = await _attempt(db, first)
    assert attempt.failures == 1
    assert "StripeUnavailable" in (attempt.last_error or "")
    assert [(await _status(db, Order, o)).status for o in (first, second)] == ["pending_payment", "paid"]
    flaky.rules.clear()  # a first failure waits no time (shop.core.retry): the next run asks again
    assert await jobs.reconcile(sessions, gateway, events, POLICY) == 1
    assert (await _status(db, Order, first)).status == "paid"


async def test_run_forever_outlives_a_database_that_is_gone(
    app: Litestar, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    """Every pass fails as a whole (no such database): the loop logs, sleeps and tries again."""
    _, gateway, events = _ctx(app)
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite")
    broken = async_sessionmaker(engine, expire_on_commit=False)
    caplog.set_level(logging.ERROR, logger="zhongcao.jobs")
    handlers = app.state["webhook_handlers"]
    loop = asyncio.create_task(jobs.run_forever(broken, gateway, events, handlers, 0.01, 0.02, POLICY))
    try:
        for _ in range(500):
            if sum("failed, next pass" in r.getMessage() for r in caplog.records) >= 6:
                break
            await asyncio.sleep(0.02)
        assert sum("failed, next pass" in r.getMessage() for r in caplog.records) >= 6
        assert not loop.done()
    finally:
        loop.cancel()
        await engine.dispose()


async def test_flash_sale_sweeper_writes_a_redis_failure_on_the_sale_and_sweeps_again(
    creator: Client, merchant: Client, shopper: Client, other_shopper: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(creator, merchant)
    sale = await launch_sale(creator, room, quantity=4, limit=2)
    for buyer in (shopper, other_shopper):
        held = await buyer.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
        assert held.status_code == 201, held.text
    clock.advance(timedelta(minutes=15))
    sessions = app.state["sessions"]
    redis_gone = RedisGate(redis.connect(f"redis://127.0.0.1:{free_port()}/0"), "zc-gone")
    assert await sale_jobs.expire_holds(sessions, redis_gone, None, None, POLICY) == 0  # no raise
    failed = await _status(db, FlashSale, sale["id"])
    assert failed.failures == 2  # both holds tried, both written down
    assert failed.last_error is not None
    assert "ServiceUnavailable" in failed.last_error
    # The ledger is the truth and moved anyway: the gate hears only after that commit, so a failure
    # there leaves the gate behind (its holds lapse by their own TTL), never ahead of the ledger.
    ledger = (await creator.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (ledger["held"], ledger["released"], ledger["invariant_ok"]) == (0, 2, True)
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    assert await sale_jobs.expire_holds(sessions, gate, None, None, POLICY) == 0  # nothing left
