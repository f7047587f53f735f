"""Dashboard benchmark: a shop with 100,000 orders and 1,000,000 engagement events.

Seeds a fresh SQLite database (orders in bulk through SQLAlchemy Core, then the sales rollups
rebuilt from them; events through `shop.analytics.bench.generate_events`), times the rollup job,
then serves the app and measures the dashboard home, the orders list and the summary JSON as
ratios to /api/v1/health, all in one run.
Absolute numbers on a shared 2-core machine are noise; same-run ratios are not.

    scripts/bench_dashboard [--orders 100000] [--events 1000000] [--seconds 8] [--concurrency 8]
                          [--keep DIR]  (seed into DIR once; later runs reuse it)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from bench_pages import free_port, measure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 5_000


async def seed(db_url: str, media: Path, orders: int, events: int) -> str:
    """The shop, its orders and events, rolled up; returns an API token of the merchant."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    import shop.models  # noqa: F401  (every table, so the foreign keys resolve)
    from shop.analytics.bench import generate_events
    from shop.analytics.jobs import roll_up
    from shop.core.db import build_engine
    from shop.dashboard.sales import rebuild
    from shop.settings import Settings

    engine = build_engine(Settings(database_url=db_url, media_dir=media))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as db:
        token, shop_id, buyers, catalogue = await _shop(db)
        await db.commit()
    started = time.perf_counter()
    written = await _orders(sessions, shop_id, buyers, catalogue, orders)
    print(f"    {written} orders in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    async with sessions() as db:  # the orders went in through Core, so no event kept the rollups
        await rebuild(db)
        await db.commit()
    print(f"==> sales rollups rebuilt from the orders in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    made = await generate_events(sessions, shop_id, events)
    print(f"    {made} events in {time.perf_counter() - started:.1f}s", flush=True)
    rolled = await roll_up(sessions)
    per_million = rolled.seconds * 1_000_000 / max(rolled.events, 1)
    print(
        f"==> rollup: {rolled.events} events in {rolled.seconds:.1f}s = {per_million:.1f}s per million events"
    )
    await engine.dispose()
    return token


async def _shop(db: Any) -> tuple[str, int, list[int], list[Line]]:
    """A merchant with 20 products (one variant each), 50 shoppers, and the merchant's API token."""
    from shop.accounts.schemas import RegisterIn
    from shop.accounts.services import create_api_token, register
    from shop.catalog.schemas import MoneyIn, ProductIn, VariantIn
    from shop.catalog.services import create_product

    password = "bench-password-1"  # noqa: S105 (a throwaway account in a temporary database)
    owner = await register(
        db,
        RegisterIn(
            email="bench@shop.test",
            password=password,
            display_name="Bench",
            role="merchant",
            shop_name="Bench",
        ),
    )
    buyers = [
        await register(
            db, RegisterIn(email=f"buyer{i}@shop.test", password=password, display_name=f"Buyer {i}")
        )
        for i in range(50)
    ]
    assert owner.merchant is not None
    catalogue = []
    for i in range(20):
        price = 1000 + 137 * i
        variant = VariantIn(sku=f"BENCH-{i}", name="One", price=MoneyIn(amount=price, currency="USD"))
        product = await create_product(
            db, owner.merchant, owner, ProductIn(name=f"Bench product {i}", variants=[variant])
        )
        catalogue.append(Line(product.variants[0].id, product.id, price, product.name))
    token, _ = await create_api_token(db, owner, "bench")
    return token, owner.merchant.id, [b.id for b in buyers], catalogue


@dataclass(frozen=True)
class Line:
    variant_id: int
    product_id: int
    price: int
    name: str


def _order_rows(
    rng: random.Random, number: int, buyers: list[int], line: Line, now: Any
) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """One paid, shipped order of one line; a tenth of them refunded one unit."""
    quantity = rng.randint(1, 3)
    when = now - timedelta(seconds=rng.randrange(60 * 86_400))
    refunded = line.price if rng.random() < 0.1 else 0
    stamps = {"created_at": when, "updated_at": when}
    order = {
        "user_id": rng.choice(buyers), "status": "fulfilled", "currency": "USD",
        "total_amount": line.price * quantity, "refunded_amount": refunded, "checkout_key": f"bench:{number}",
        "hold_expires_at": when, "paid_at": when, "fulfilled_at": when, "status_reason": "", **stamps,
    }  # fmt: skip
    order_line = {
        "variant_id": line.variant_id, "product_id": line.product_id, "product_name": line.name,
        "variant_name": "One", "quantity": quantity, "unit_amount": line.price, "currency": "USD",
        "source_type": rng.choice(("note", "stream", "direct", "direct")), "source_id": None,
        "refunded_amount": refunded, "allocated": False, **stamps,
    }  # fmt: skip
    return order, order_line


async def _orders(sessions: Any, shop_id: int, buyers: list[int], catalogue: list[Line], count: int) -> int:
    """Orders over the last 60 days, in chunks through SQLAlchemy Core (the ORM would take minutes)."""
    from sqlalchemy import func, insert, select

    from shop.core import clock
    from shop.orders.models import Order, OrderLine

    rng, now, written = random.Random(7), clock.now(), 0
    while written < count:
        pairs = [
            _order_rows(rng, written + i, buyers, rng.choice(catalogue), now)
            for i in range(min(CHUNK, count - written))
        ]
        async with sessions() as db, db.begin():
            first = int(await db.scalar(select(func.coalesce(func.max(Order.id), 0))) or 0)
            await db.execute(insert(Order), [order for order, _ in pairs])
            lines = [
                {**line, "order_id": first + n, "merchant_id": shop_id}
                for n, (_, line) in enumerate(pairs, 1)
            ]
            await db.execute(insert(OrderLine), lines)
        written += len(pairs)
        print(f"    orders {written}/{count}", end="\r", flush=True)
    print()
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="seed into this folder once and reuse it on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = args.keep or Path(tmp)
        var.mkdir(parents=True, exist_ok=True)
        db_url = f"sqlite+aiosqlite:///{var}/bench.db"
        env = {**os.environ, "VAR_DIR": str(var), "DATABASE_URL": db_url, "RUN_JOBS": "false"}
        env.pop("REDIS_URL", None)
        os.environ.update(env)
        saved = var / "bench-token"
        if saved.exists():
            print(f"==> reusing the shop seeded in {var}", flush=True)
            token = saved.read_text()
        else:
            token = _migrate_and_seed(env, db_url, var, args)
            saved.write_text(token)
        _serve_and_measure(env, token, args)


def _migrate_and_seed(env: dict[str, str], db_url: str, var: Path, args: argparse.Namespace) -> str:
    import subprocess

    print("==> migrate", flush=True)
    subprocess.run([sys.executable, "-m", "shop", "migrate"], cwd=ROOT, env=env, check=True)
    print(f"==> seed {args.orders} orders and {args.events} events", flush=True)
    return asyncio.run(seed(db_url, var / "media", args.orders, args.events))


def _serve_and_measure(env: dict[str, str], token: str, args: argparse.Namespace) -> None:
    import subprocess

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "shop", "serve", "--port", str(port), "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        targets = [
            ("hello JSON (baseline)", f"{base}/api/v1/health"),
            ("dashboard home /dashboard?period=30d", f"{base}/dashboard?period=30d"),
            ("orders list /dashboard/orders", f"{base}/dashboard/orders"),
            ("summary JSON /api/v1/dashboard/summary", f"{base}/api/v1/dashboard/summary?period=30d"),
            ("hello JSON (baseline, again)", f"{base}/api/v1/health"),
        ]
        results = {}
        for label, url in targets:
            print(f"==> {label}: {args.seconds:.0f}s at concurrency {args.concurrency}", flush=True)
            results[label] = measure(
                url, args.seconds, args.concurrency, headers={"Authorization": f"Bearer {token}"}
            )
            print(f"    {results[label]:8.1f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=10)
    baseline = (results[targets[0][0]] + results[targets[-1][0]]) / 2
    print(f"\nbaseline hello JSON: {baseline:.1f} req/s")
    for label, _ in targets[1:-1]:
        print(f"{label:44s} {results[label]:8.1f} req/s   ratio {results[label] / baseline:.3f}x of hello")


if __name__ == "__main__":
    main()
