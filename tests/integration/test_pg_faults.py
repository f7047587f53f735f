"""PostgreSQL backends terminated mid-request and mid-job (issue 13).

`pg_terminate_backend` from an admin connection kills the app's connection while it waits on a row
lock another transaction holds, as a failover, an operator or an OOM kill would. A request gets a
clean 503 `{code, message}` with nothing half-written and the next request is served; a job logs
the item, skips it, goes on with the next, and its next run finishes the work. These run on both
passes of the suite, on a PostgreSQL database of their own (fault_helpers.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from types import ModuleType

import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shop.core import db as core_db
from shop.orders.models import Order, StockReservation
from shop.payouts.models import PayoutTransfer, SettledOrder
from tests.helpers import Client, add_address, make_product
from tests.integration.earning_helpers import note_sale, onboard, ship
from tests.integration.fault_helpers import (  # noqa: F401 (fixtures: settings, admin)
    admin_connection,
    app_backends,
    fault_settings,
    fresh_database,
    locked_out,
    terminate,
    until,
)
from tests.integration.payout_helpers import (
    WINDOW_DAYS,
    fresh_sandbox,  # noqa: F401 (a fixture)
    settle,
    transfers_of,
)

LOCK_VARIANT = "SELECT id FROM variants WHERE id = :id FOR UPDATE"
LOCK_ORDER = "SELECT id FROM orders WHERE id = :id FOR UPDATE"


async def test_a_request_whose_backend_is_killed_gets_a_clean_503_and_the_next_one_is_served(
    merchant: Client, shopper: Client, admin: AsyncConnection, db: AsyncSession
) -> None:
    product = await make_product(merchant, "Fault Serum", stock=5)
    variant_id = product["variants"][0]["id"]
    await add_address(shopper)
    added = await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 2})
    assert added.status_code == 201, added.text

    # Another checkout holds the variant's row lock: the shopper's checkout waits behind it, and dies.
    killed = await locked_out(
        admin, LOCK_VARIANT, {"id": variant_id}, shopper.post("/api/v1/checkout", json={})
    )
    assert killed.status_code == 503, killed.text
    assert set(killed.json()) == {"code", "message"}
    assert killed.json()["code"] == "service_unavailable"
    assert "Traceback" not in killed.text
    assert "asyncpg" not in killed.text
    assert int(killed.headers["retry-after"]) > 0
    assert await db.scalar(select(func.count(Order.id))) == 0  # nothing half-written
    assert await db.scalar(select(func.count(StockReservation.id))) == 0

    again = await shopper.post("/api/v1/checkout", json={})  # the pool gave it a live connection
    assert again.status_code in (200, 201), again.text
    assert again.json()["status"] == "pending_payment"
    assert await db.scalar(select(func.count(Order.id))) == 1


@pytest.mark.parametrize("ping_after_idle_s", [core_db.PING_AFTER_IDLE_S, 0.0], ids=["fresh", "pinged"])
async def test_pooled_connections_the_server_closed_are_replaced_before_use(
    merchant: Client, admin: AsyncConnection, monkeypatch: pytest.MonkeyPatch, ping_after_idle_s: float
) -> None:
    """A restart or an idle timeout closes the pool's connections while nobody uses them. The pool
    hands out none of them: every request after it is served. A connection used lately is checked
    without a round trip; one idle for longer ("pinged": every one here) is pinged first."""
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_S", ping_after_idle_s)
    product = await make_product(merchant, "Idle Serum", stock=5)
    url = f"/api/v1/products/{product['id']}"
    for _ in range(3):  # several pooled connections, then all idle
        assert all(r.status_code == 200 for r in await asyncio.gather(*(merchant.get(url) for _ in range(8))))
    idle = await app_backends(admin, state="idle")
    assert len(idle) >= 2
    await terminate(admin, idle)
    await until(lambda: _gone(admin, idle))
    await asyncio.sleep(0.1)  # a backend leaves pg_stat_activity just before its socket closes

    answers = await asyncio.gather(*(merchant.get(url) for _ in range(8)))
    assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers if r.status_code != 200]
    assert (await merchant.post("/api/v1/products", json={"name": "x"})).status_code == 422


async def _gone(admin: AsyncConnection, pids: list[int]) -> bool:
    return not set(pids) & set(await app_backends(admin))


@pytest.mark.usefixtures("fresh_sandbox")
async def test_a_settlement_run_whose_backend_is_killed_skips_that_order_and_the_next_run_pays_it(
    app: Litestar,
    merchant: Client,
    creator: Client,
    shopper: Client,
    admin: AsyncConnection,
    db: AsyncSession,
    clock: ModuleType,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The run plans each order in its own transaction. The first order's row lock is held
    elsewhere (a refund being given, say) and its backend is killed while it waits: that order is
    logged and skipped, the second is planned and paid in the same run, and the next run pays the
    first. Nobody is paid twice."""
    for payee in (merchant, creator):
        await onboard(payee)
    first = await note_sale(merchant, creator, shopper, price=10_000, bps=1_000, name="Fault Serum")
    second = await note_sale(merchant, creator, shopper, price=20_000, bps=1_000, name="Fault Cream")
    for order in (first, second):
        await ship(merchant, order["id"])
    clock.advance(timedelta(days=WINDOW_DAYS + 1))

    with caplog.at_level(logging.ERROR, logger="zhongcao.payouts"):
        counts = await locked_out(admin, LOCK_ORDER, {"id": first["id"]}, settle(app))
    assert f"settlement: item {first['id']} failed, skipped until the next run" in caplog.text
    assert (counts["transfers planned"], counts["transfers sent"]) == (1, 2)  # the second order's two
    assert await transfers_of(app, first["id"]) == {}
    assert await transfers_of(app, second["id"]) == {2_000: 0, 17_000: 0}
    assert await db.scalar(select(SettledOrder.id).where(SettledOrder.order_id == first["id"])) is None

    again = await settle(app)  # the pool hands out live connections: the next run finishes the work
    assert (again["transfers planned"], again["transfers sent"]) == (1, 2)
    assert await transfers_of(app, first["id"]) == {1_000: 0, 8_500: 0}
    assert await transfers_of(app, second["id"]) == {2_000: 0, 17_000: 0}
    sent = select(func.count(PayoutTransfer.id)).where(PayoutTransfer.state == "sent")
    assert await db.scalar(sent) == 4
