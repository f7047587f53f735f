"""Attribution fixed at payment, and the commission ledger through refunds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.commissions.models import Commission, CommissionEntry
from tests.helpers import Client
from tests.integration.earning_helpers import note_sale, refund


async def _entries(db: AsyncSession, order_id: int) -> list[tuple[str, int]]:
    rows = await db.execute(
        select(CommissionEntry.kind, CommissionEntry.amount)
        .join(Commission, Commission.id == CommissionEntry.commission_id)
        .where(Commission.order_id == order_id)
        .order_by(CommissionEntry.id)
    )
    return [(kind, amount) for kind, amount in rows.all()]


async def test_a_note_sale_credits_its_author_at_the_rate_in_force(
    merchant: Client, creator: Client, shopper: Client, db: AsyncSession
) -> None:
    order = await note_sale(merchant, creator, shopper, price=3333, bps=1500, quantity=3)
    line = order["lines"][0]
    assert line["attribution"]["creator_id"] == creator.id
    assert line["attribution"]["commission_bps"] == 1500
    assert line["attribution"]["collaboration_id"] is not None
    assert line["attribution"]["deal_id"] is None
    assert await _entries(db, order["id"]) == [("accrue", 9999 * 1500 // 10_000)]


async def test_partial_then_full_refund_adjusts_then_reverses(
    merchant: Client, creator: Client, shopper: Client, db: AsyncSession
) -> None:
    order = await note_sale(merchant, creator, shopper, price=10_000, bps=1000)
    await refund(merchant, order["id"], 2_500)
    assert await _entries(db, order["id"]) == [("accrue", 1000), ("adjust", -250)]
    await refund(merchant, order["id"])
    assert await _entries(db, order["id"]) == [("accrue", 1000), ("adjust", -250), ("reverse", -750)]
    state = await db.scalar(select(Commission.state).where(Commission.order_id == order["id"]))
    assert state == "reversed"


async def test_a_creator_buying_through_their_own_note_earns_nothing(
    merchant: Client, creator: Client, db: AsyncSession
) -> None:
    order = await note_sale(merchant, creator, creator, price=5000, bps=2000)
    assert order["lines"][0]["attribution"] is None
    assert await _entries(db, order["id"]) == []
