"""The sales rollups the dashboard home reads: kept by the order events, they always equal what
`rebuild` recomputes from the orders themselves."""

from __future__ import annotations

import asyncio
from typing import Any

from advanced_alchemy.alembic.commands import AlembicCommands
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.dashboard.models import SalesBuyer, SalesHour
from shop.dashboard.sales import ANY_NOTE, rebuild
from shop.settings import Settings
from tests.helpers import Client, register
from tests.integration.earning_helpers import refund, ship
from tests.integration.test_dashboard_home import _buy, _scenario


async def _snapshot(db: AsyncSession) -> tuple[dict[tuple[Any, ...], tuple[int, ...]], set[tuple[Any, ...]]]:
    db.expire_all()
    hours = {
        (r.merchant_id, r.dimension, r.hour, r.currency, r.source_id, r.creator_id, r.slot): (
            r.paid,
            r.refunded,
            r.orders,
            r.deal_id,
        )
        for r in (await db.scalars(select(SalesHour))).all()
    }
    buyers = {(b.merchant_id, b.day, b.user_id) for b in (await db.scalars(select(SalesBuyer))).all()}
    return hours, buyers


async def test_the_rollups_kept_by_events_equal_a_rebuild_from_the_orders(
    app: Litestar,
    db: AsyncSession,
    merchant: Client,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    third_client: Client,
) -> None:
    await register(third_client, "third-buyer@example.com")
    made = await _scenario(merchant, creator, [shopper, other_shopper, third_client])
    kept = await _snapshot(db)
    shop_rows = [v for k, v in kept[0].items() if k[1] == "shop"]
    assert sum(v[0] for v in shop_rows) == 25_000  # 100.00 + 2 x 50.00 + 50.00
    assert sum(v[1] for v in shop_rows) == 3_000
    assert sum(v[2] for v in shop_rows) == 3
    note_rows = [k for k in kept[0] if k[1] == "note"]
    assert {k[4] for k in note_rows} == {made["note"]["id"]}
    assert {k[5] for k in kept[0] if k[1] == "creator"} == {creator.id}
    assert len(kept[1]) == 3
    async with app.state.sessions() as session:
        assert await rebuild(session) == 3
        await session.commit()
    assert await _snapshot(db) == kept


async def test_a_refund_after_shipping_lowers_the_rollup_and_the_cards(
    app: Litestar, db: AsyncSession, merchant: Client, shopper: Client
) -> None:
    from tests.helpers import make_product

    product = await make_product(merchant, "Rollup Tote", price=4_000, stock=10)
    order = await _buy(shopper, product["variants"][0]["id"], 1, None)
    await ship(merchant, order["id"])
    await refund(merchant, order["id"], 1_500)
    hours, _ = await _snapshot(db)
    assert [v[:3] for k, v in hours.items() if k[1] == "shop"] == [(4_000, 1_500, 1)]
    summary = (await merchant.get("/api/v1/dashboard/summary?period=today")).json()
    assert (summary["gmv"]["amount"], summary["refunds"]["amount"], summary["orders"]) == (2_500, 1_500, 1)
    async with app.state.sessions() as session:
        await rebuild(session)
        await session.commit()
    assert (await _snapshot(db))[0] == hours


async def test_the_any_note_migration_fills_what_a_rebuild_would(
    db: AsyncSession,
    base_settings: Settings,
    merchant: Client,
    creator: Client,
    shopper: Client,
    other_shopper: Client,
    third_client: Client,
) -> None:
    from shop.core.db import sqlalchemy_config

    await register(third_client, "any-note-buyer@example.com")
    await _scenario(merchant, creator, [shopper, other_shopper, third_client])
    kept = await _snapshot(db)
    assert [v[2] for k, v in kept[0].items() if k[1] == ANY_NOTE] == [1]  # one order from a note
    await db.rollback()  # no read transaction of ours in the migration's way

    def commands() -> AlembicCommands:  # an engine per run: each runs on an event loop of its own
        return AlembicCommands(sqlalchemy_config=sqlalchemy_config(base_settings))

    await asyncio.to_thread(commands().downgrade, "0027")
    assert not [k for k in (await _snapshot(db))[0] if k[1] == ANY_NOTE]
    await db.rollback()
    await asyncio.to_thread(commands().upgrade, "head")
    assert await _snapshot(db) == kept
