"""Admitted holds are written in group commits (live/flash_sales/writer.py): many holds per
transaction, each answered only once its row is committed; a batch the database refuses gives
every unit back to the gate and answers 503."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSaleHold
from tests.helpers import Client
from tests.live_helpers import bearer, buyers, launch_sale, live_room, queries_of, reserve_url

REFUSE = {
    "sqlite": [
        "CREATE TRIGGER zc_refuse_holds BEFORE INSERT ON flash_sale_holds "
        "BEGIN SELECT RAISE(ABORT, 'the ledger refuses'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION zc_refuse_holds() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the ledger refuses'; END $$",
        "CREATE TRIGGER zc_refuse_holds BEFORE INSERT ON flash_sale_holds "
        "FOR EACH ROW EXECUTE FUNCTION zc_refuse_holds()",
    ],
}
ALLOW = {
    "sqlite": ["DROP TRIGGER zc_refuse_holds"],
    "postgresql": ["DROP TRIGGER zc_refuse_holds ON flash_sale_holds", "DROP FUNCTION zc_refuse_holds()"],
}


async def _grab(app: Litestar, sale: dict[str, Any], token: str, n: int) -> tuple[int, int]:
    """The answer's status, and how many ledger rows hold its reservation the moment it arrived."""
    async with bearer(app, token, ip=f"192.0.2.{100 + n}") as buyer:
        answer = await buyer.post(reserve_url(sale), json={"quantity": 1})
    if answer.status_code != 201:
        return answer.status_code, 0
    async with app.state["sessions"]() as check:
        rows = await check.scalar(
            select(func.count())
            .select_from(FlashSaleHold)
            .where(FlashSaleHold.reservation_id == answer.json()["reservation_id"])
        )
    return answer.status_code, int(rows or 0)


async def test_concurrent_holds_share_transactions_and_are_answered_after_their_commit(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=100)
    sale = await launch_sale(client, room, quantity=40, limit=1)
    tokens = await buyers(db, 30)
    with queries_of(app, "INSERT INTO flash_sale_holds") as inserts:
        answers = await asyncio.gather(*(_grab(app, sale, token, n) for n, token in enumerate(tokens)))
    assert answers == [(201, 1)] * 30
    assert 1 <= len(inserts) < 30  # fewer transactions than holds
    books = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (books["held"], books["available"], books["invariant_ok"]) == (30, 10, True)


async def test_a_refused_batch_gives_every_unit_back_to_the_gate_and_answers_503(
    client: Client, other_client: Client, app: Litestar, db: AsyncSession
) -> None:
    room = await live_room(client, other_client, stock=100)
    sale = await launch_sale(client, room, quantity=10, limit=1)
    tokens = await buyers(db, 7)
    dialect = db.get_bind().dialect.name
    for statement in REFUSE[dialect]:
        await db.execute(text(statement))
    await db.commit()
    try:
        answers = await asyncio.gather(*(_grab(app, sale, token, n) for n, token in enumerate(tokens[:6])))
    finally:
        for statement in ALLOW[dialect]:
            await db.execute(text(statement))
        await db.commit()
    assert answers == [(503, 0)] * 6
    gate = app.dependencies["gate"].dependency()  # type: ignore[union-attr]
    assert await gate.remaining(sale["id"]) == 10
    books = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (books["held"], books["available"], books["invariant_ok"]) == (0, 10, True)
    assert await _grab(app, sale, tokens[6], 50) == (201, 1)  # the ledger takes rows again
