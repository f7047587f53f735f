"""Flash sales: the window, limits, allocation, expiry, the ledger, and 1,000 buyers for 100 units."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import jobs
from live.flash_sales.models import FlashSale, FlashSaleHold
from shop.accounts.models import User
from shop.catalog.models import StockMovement, Variant
from tests.helpers import PASSWORD, Client, add_address, register
from tests.live_helpers import buyers, hold_and_checkout, launch_sale, live_room
from tests.payments_helpers import authenticate_3ds, card


async def _ledger(client: Client, sale_id: int) -> dict:
    return dict((await client.get(f"/api/v1/flash-sales/{sale_id}/ledger")).json())


async def test_launch_allocates_stock_and_reservations_follow_the_rules(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=50)
    sale = await launch_sale(client, room, quantity=10, limit=2)
    assert (sale["status"], sale["remaining"]) == ("live", 10)
    variant = await db.get(Variant, room["variant_id"])
    assert variant is not None
    assert variant.stock_on_hand == 40
    assert await db.scalar(select(StockMovement.delta).where(StockMovement.reason == "flash_sale")) == -10

    await register(other_client, "fan@example.com")
    ok = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 2})
    assert ok.status_code == 201, ok.text
    assert ok.json()["remaining"] == 8
    again = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert (again.status_code, again.json()["code"]) == (409, "limit_reached")
    for bad in (0, -1, 3):
        response = await other_client.post(
            f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": bad}
        )
        assert response.status_code == 422, bad
    assert (
        await other_client.post("/api/v1/flash-sales/424242/reservations", json={"quantity": 1})
    ).status_code == 404
    assert await _ledger(client, sale["id"]) == {
        "quantity": 10,
        "sold": 0,
        "held": 2,
        "available": 8,
        "released": 0,
        "invariant_ok": True,
    }


async def test_the_server_clock_opens_and_closes_the_sale(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    room = await live_room(client, other_client)
    sale = await launch_sale(client, room, quantity=5, countdown_s=60)
    await register(other_client, "early@example.com")
    early = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert (early.status_code, early.json()["code"]) == (409, "not_started")
    assert (await client.get(f"/api/v1/flash-sales/{sale['id']}")).json()["status"] == "scheduled"


async def test_launch_is_checked(client: Client, other_client: Client, shopper: Client) -> None:
    room = await live_room(client, other_client, stock=5, price=3000)

    async def launch(by: Client, quantity: int, price: int) -> int:
        response = await by.post(
            f"/api/v1/streams/{room['stream_id']}/flash-sales",
            json={
                "variant_id": room["variant_id"],
                "quantity": quantity,
                "price": {"amount": price, "currency": "USD"},
                "per_customer_limit": 1,
                "duration_s": 60,
            },
        )
        return response.status_code

    assert await launch(client, quantity=6, price=1000) == 422  # more than the 5 in stock
    assert await launch(client, quantity=1, price=3000) == 422  # not below the regular price
    assert await launch(client, quantity=1, price=0) == 422  # a deal price of zero
    assert await launch(shopper, quantity=1, price=100) == 404  # neither the host nor a moderator


async def test_expired_holds_return_to_the_pool_once(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client)
    sale = await launch_sale(client, room, quantity=3, limit=3)
    await register(other_client, "slow@example.com")
    await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 3})
    sold_out = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert sold_out.json()["code"] in ("sold_out", "limit_reached")
    await db.execute(update(FlashSaleHold).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    await db.commit()
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    sessions = app.state["sessions"]
    assert await jobs.expire_holds(sessions, gate, None) == 3
    assert await jobs.expire_holds(sessions, gate, None) == 0
    assert await _ledger(client, sale["id"]) == {
        "quantity": 3,
        "sold": 0,
        "held": 0,
        "available": 3,
        "released": 3,
        "invariant_ok": True,
    }
    back = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 3})
    assert back.status_code == 201


async def test_thousand_buyers_race_for_a_hundred_units(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=500)
    sale = await launch_sale(client, room, quantity=100, limit=1)
    tokens = await buyers(db, 1000)
    start = asyncio.Event()

    def as_buyer(token: str) -> httpx.AsyncClient:
        # Each from its own phone: the per-address reservation limit is not what this test races.
        n = tokens.index(token)
        transport = httpx.ASGITransport(app=app, client=(f"10.0.{n // 250}.{n % 250 + 1}", 5000))
        return httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver.local",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )

    async def buy(token: str) -> tuple[int, str, dict[str, Any]]:
        async with as_buyer(token) as c:
            await start.wait()
            response = await c.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
            return response.status_code, token, response.json()

    tasks = [asyncio.create_task(buy(t)) for t in tokens]
    await asyncio.sleep(0.1)
    start.set()
    results = await asyncio.gather(*tasks)
    codes = [code for code, _, _ in results]
    assert codes.count(201) == 100
    assert codes.count(409) == 900
    ledger = await _ledger(client, sale["id"])
    assert ledger == {
        "quantity": 100,
        "sold": 0,
        "held": 100,
        "available": 0,
        "released": 0,
        "invariant_ok": True,
    }
    winners = [(token, body) for code, token, body in results if code == 201]
    for paid, (token, hold) in enumerate(winners, start=1):
        async with as_buyer(token) as c:
            url = f"/api/v1/flash-sales/{sale['id']}/reservations/{hold['reservation_id']}/checkout"
            order_id = (await c.post(url)).json()["order_id"]
            payment = await c.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
            assert payment.json()["status"] == "paid", payment.text
        books = await _ledger(client, sale["id"])  # the books balance at every step, held to sold
        assert (books["sold"], books["held"], books["invariant_ok"]) == (paid, 100 - paid, True)
    assert (await _ledger(client, sale["id"]))["sold"] == 100
    holders = await db.scalar(select(func.count(func.distinct(FlashSaleHold.user_id))))
    assert holders == 100


async def test_a_hold_is_paid_in_the_room_and_becomes_sold(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=20, price=3000)
    sale = await launch_sale(client, room, quantity=5, limit=2, price=1999)
    await register(other_client, "viewer@example.com")
    await add_address(other_client)  # the in-room checkout ships to the default address
    hold = (
        await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 2})
    ).json()
    url = f"/api/v1/flash-sales/{sale['id']}/reservations/{hold['reservation_id']}/checkout"
    checkout = await other_client.post(url)
    assert checkout.status_code == 201, checkout.text
    assert checkout.json()["total"] == {"amount": 3998, "currency": "USD"}
    assert (await other_client.post(url)).json()["order_id"] == checkout.json()["order_id"]
    order_id = checkout.json()["order_id"]
    paid = await other_client.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    assert paid.json()["lines"][0]["source"] == {"type": "stream", "id": room["stream_id"]}
    assert await _ledger(client, sale["id"]) == {
        "quantity": 5,
        "sold": 2,
        "held": 0,
        "available": 3,
        "released": 0,
        "invariant_ok": True,
    }
    variant = await db.get(Variant, room["variant_id"])
    assert variant is not None
    assert variant.stock_on_hand == 15  # allocated once at launch, not taken again at payment
    stranger = await client.post(url)
    assert stranger.status_code == 404


async def test_redis_lost_mid_sale_fails_closed_then_rebuilds_from_the_ledger(
    client: Client, other_client: Client, db: AsyncSession, tmp_path: Path
) -> None:
    """A real redis-server is killed mid-sale and restarted empty: reservations fail closed (503), then
    the gate is rebuilt from the DB ledger before anyone else reserves, and the sale never oversells."""
    import shutil
    import subprocess
    import time

    from redis.asyncio import Redis

    from live.flash_sales import services
    from live.flash_sales.gate import RedisGate
    from shop.core.errors import ServiceUnavailable
    from tests.backends import IN_CI
    from tests.helpers import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        assert not IN_CI, "CI must have redis-server"
        pytest.skip("redis-server is not installed")
    port = free_port()

    def start_redis() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False)
            if ping.stdout.strip() == b"PONG":
                return process
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    redis_process = start_redis()
    room = await live_room(client, other_client, stock=50)
    sale = await launch_sale(client, room, quantity=10, limit=5)
    await buyers(db, 3)
    a, b, c = sorted((await db.scalars(select(User.id).order_by(User.id.desc()).limit(3))).all())
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=0.5, socket_connect_timeout=0.5)
    gate = RedisGate(redis, "zc-redis-loss")
    try:
        hold, _, _ = await services.reserve(db, gate, sale["id"], a, 4)
        await db.commit()
        first = hold.quantity
        redis_process.kill()
        redis_process.wait()
        with pytest.raises(ServiceUnavailable) as closed:
            await services.reserve(db, gate, sale["id"], b, 1)
        assert closed.value.retry_after
        await db.rollback()
        redis_process = start_redis()  # empty: every key of the sale is gone
        await services.reserve(db, gate, sale["id"], b, 5)  # "missing" → rebuilt from the ledger first
        await db.commit()
        with pytest.raises(services.SaleRefused) as refused:
            await services.reserve(db, gate, sale["id"], c, 2)
        assert refused.value.refusal == "sold_out"
        await db.rollback()
        await services.reserve(db, gate, sale["id"], c, 1)
        await db.commit()
        assert await gate.remaining(sale["id"]) == 0
        sale_row = await db.get(FlashSale, sale["id"])
        assert sale_row is not None
        books = (await services.ledger(db, gate, sale_row)).model_dump()
    finally:
        redis_process.kill()
        await redis.aclose()
    assert first == 4
    assert books == {
        "quantity": 10,
        "sold": 0,
        "held": 10,
        "available": 0,
        "released": 0,
        "invariant_ok": True,
    }


async def test_an_ended_sale_returns_its_unsold_units_once(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=30)
    sale = await launch_sale(client, room, quantity=10, limit=3)
    await register(other_client, "buyer@example.com")
    checkout = await hold_and_checkout(other_client, sale["id"], 3)
    await other_client.post(
        f"/api/v1/orders/{checkout['order_id']}/pay", json={"payment_method": "pm_card_visa"}
    )
    past = datetime.now(UTC) - timedelta(seconds=1)
    await db.execute(update(FlashSale).values(starts_at=past - timedelta(minutes=5), ends_at=past))
    await db.commit()
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    published: list[tuple[str, dict[str, Any]]] = []
    for _ in range(2):
        await jobs.expire_holds(app.state["sessions"], gate, None, lambda m, c: published.append((c, m)))
    assert [(c, m["type"], m["state"]) for c, m in published] == [
        (f"stream:{room['stream_id']}", "flash_sale", "ended")
    ]  # viewers hear the close once, as a sequenced event they can resume
    assert published[0][1]["flash_sale"]["remaining"] == 7
    variant = await db.get(Variant, room["variant_id"], populate_existing=True)
    assert variant is not None
    assert variant.stock_on_hand == 30 - 10 + 7  # allocation out, the 7 unsold back, the 3 sold stay sold
    returns = (
        await db.scalars(select(StockMovement.delta).where(StockMovement.reason == "flash_sale_return"))
    ).all()
    assert list(returns) == [7]


async def test_a_hold_that_expires_during_3ds_is_refunded_and_never_sold_twice(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, stripe_sandbox: str
) -> None:
    room = await live_room(client, other_client, stock=10)
    sale = await launch_sale(client, room, quantity=1, limit=1)
    await register(other_client, "slow-bank@example.com")
    order_id = (await hold_and_checkout(other_client, sale["id"], 1))["order_id"]
    challenged = await other_client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000002500003155")},
    )
    payment = challenged.json()["payment"]
    assert payment["status"] == "requires_action"

    # The shopper is still in the bank's 3DS window when the hold runs out and the unit goes back.
    await db.execute(update(FlashSaleHold).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    await db.commit()
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    assert await jobs.expire_holds(app.state["sessions"], gate, None) == 1
    assert (await _ledger(client, sale["id"]))["available"] == 1
    await register(client, "quick@example.com")
    second = await client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert second.status_code == 201  # someone else takes the unit

    await authenticate_3ds(
        stripe_sandbox, payment["payment_intent_id"], payment["client_secret"], success=True
    )
    order = (await other_client.get(f"/api/v1/orders/{order_id}")).json()
    assert order["status"] == "refunded"  # money taken for a unit that is gone goes straight back
    books = await _ledger(client, sale["id"])
    assert (books["sold"], books["held"], books["released"], books["invariant_ok"]) == (0, 1, 1, True)


async def test_scalpers_are_held_back_per_account_per_address_and_by_units_held(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, settings: Any
) -> None:
    """One account may hold MAX_UNITS_HELD units at once across sales; one account and one address
    may ask for so many reservations a minute. Nothing refused is held."""
    room = await live_room(client, other_client, stock=300)
    sales = [await launch_sale(client, room, quantity=50, limit=settings.max_units_held) for _ in range(2)]
    await register(other_client, "scalper@example.com")
    first = await other_client.post(
        f"/api/v1/flash-sales/{sales[0]['id']}/reservations", json={"quantity": settings.max_units_held}
    )
    assert first.status_code == 201, first.text
    over = await other_client.post(f"/api/v1/flash-sales/{sales[1]['id']}/reservations", json={"quantity": 1})
    assert (over.status_code, over.json()["code"]) == (409, "hold_cap")
    held = await db.scalar(select(func.sum(FlashSaleHold.quantity)).where(FlashSaleHold.state == "held"))
    assert held == settings.max_units_held

    url = f"/api/v1/flash-sales/{sales[1]['id']}/reservations"
    for _ in range(settings.reservations_per_account_per_minute - 2):
        await other_client.post(url, json={"quantity": 1})
    flood = await other_client.post(url, json={"quantity": 1})
    assert flood.status_code == 429
    assert int(flood.headers["retry-after"]) > 0

    tokens = await buyers(db, settings.reservations_per_ip_per_minute + 1)
    one_address = httpx.ASGITransport(app=app, client=("192.0.2.50", 5000))
    codes = []
    async with httpx.AsyncClient(transport=one_address, base_url="http://testserver.local") as raw:
        for token in tokens:
            bearer = {"Authorization": f"Bearer {token}"}
            codes.append((await raw.post(url, json={"quantity": 1}, headers=bearer)).status_code)
    assert codes[-1] == 429  # the same address, many accounts
    assert set(codes[:-1]) <= {201, 409}


async def test_sign_ups_from_one_address_are_limited(app: Litestar, settings: Any) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
    answers = []
    for n in range(settings.signups_per_ip_per_hour + 1):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw:
            body = {"email": f"farm{n}@example.com", "password": PASSWORD, "display_name": f"farm{n}"}
            answers.append((await Client(raw).post("/api/v1/auth/register", json=body)).status_code)
    assert answers[-1] == 429
    assert set(answers[:-1]) == {201}


async def test_a_gate_hold_whose_commit_never_happened_goes_back_to_the_sale(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession, clock: Any
) -> None:
    """The reservation script ran in the gate, then the process died before the ledger row was
    committed. A minute later the sweeper gives the unit back; a fresh hold and a real one stay."""
    from live.flash_sales import services as sale_services
    from live.flash_sales.orphans import ORPHAN_AFTER

    room = await live_room(client, other_client, stock=30)
    sale = await launch_sale(client, room, quantity=10, limit=3)
    await register(other_client, "real-buyer@example.com")
    real = await other_client.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert real.status_code == 201, real.text
    gate = app.dependencies["gate"].dependency()  # type: ignore[attr-defined]
    row = await db.get(FlashSale, sale["id"])
    assert row is not None
    terms = sale_services.terms(row)
    lost, _ = await gate.reserve(terms, 990_001, 2, "died-before-commit", clock.now().timestamp())
    assert lost == "ok"
    assert await gate.remaining(sale["id"]) == 7
    clock.advance(ORPHAN_AFTER / 2)
    fresh, _ = await gate.reserve(terms, 990_002, 1, "still-committing", clock.now().timestamp())
    assert fresh == "ok"
    clock.advance(ORPHAN_AFTER / 2 + timedelta(seconds=1))
    await jobs.expire_holds(app.state["sessions"], gate, None)
    assert await gate.remaining(sale["id"]) == 8  # the 2 orphaned units are back, the others held
    left = {h.reservation_id for h in await gate.holds(sale["id"])}
    assert left == {real.json()["reservation_id"], "still-committing"}


async def test_the_sign_up_page_is_limited_per_address_too(app: Litestar, settings: Any) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.10", 5000))
    codes = []
    for n in range(settings.signups_per_ip_per_hour + 1):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw:
            body = {"email": f"page{n}@example.com", "password": PASSWORD, "display_name": f"page{n}"}
            answer = await Client(raw).form("/signup", body)
            codes.append(answer.status_code)
    assert codes[-1] == 429
    assert "Too many new accounts" in answer.text
    assert set(codes[:-1]) == {302}  # on to onboarding
