"""Money at its edges (issue 13): 64-bit columns, amounts above what one card payment can take,
currencies that are not ISO 4217, and a charge that does not match its order."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.objects import Intent
from shop.core.money import MAX_CHARGE
from shop.orders import settlement
from shop.orders.models import Order
from tests.helpers import Client, add_address, make_product

MONEY_COLUMNS = {
    "variants": ["price_amount"],
    "orders": ["total_amount", "refunded_amount"],
    "order_lines": ["unit_amount", "refunded_amount"],
    "payment_attempts": ["amount"],
    "refunds": ["amount"],
    "commission_entries": ["amount"],
    "payout_transfers": ["amount", "platform_fee", "netted"],
    "sales_hours": ["paid", "refunded"],
}


async def test_money_columns_hold_64_bit_amounts(db: AsyncSession) -> None:
    def types(sync: Any) -> dict[tuple[str, str], str]:
        inspector = inspect(sync)
        return {
            (table, c["name"]): str(c["type"])
            for table in MONEY_COLUMNS
            for c in inspector.get_columns(table)
            if c["name"] in MONEY_COLUMNS[table]
        }

    found = await (await db.connection()).run_sync(types)
    assert len(found) == sum(len(cs) for cs in MONEY_COLUMNS.values())
    expected = "BIGINT" if db.get_bind().dialect.name == "postgresql" else "INTEGER"
    assert set(found.values()) == {expected}, found


def _product(price: dict[str, Any]) -> dict[str, Any]:
    variant = {"sku": "EDGE-1", "name": "One", "price": price, "stock_on_hand": 5}
    return {"name": "Edge Case", "variants": [variant]}


async def test_a_price_above_one_card_payment_or_in_no_currency_is_refused(merchant: Client) -> None:
    too_much = await merchant.post(
        "/api/v1/products", json=_product({"amount": MAX_CHARGE + 1, "currency": "USD"})
    )
    assert too_much.status_code == 422, too_much.text
    made_up = await merchant.post("/api/v1/products", json=_product({"amount": 100, "currency": "XYZ"}))
    assert made_up.status_code == 422, made_up.text
    assert "ISO 4217" in made_up.text
    fine = await merchant.post("/api/v1/products", json=_product({"amount": MAX_CHARGE, "currency": "KWD"}))
    assert fine.status_code == 201, fine.text


async def test_an_order_above_one_card_payment_is_refused_and_nothing_is_written(
    merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    """99 units at 999,999.99 overflowed a 32-bit total (a 500); now a 422 before anything is written."""
    product = await make_product(merchant, "Gold Bar", price=MAX_CHARGE, stock=200)
    await add_address(shopper)
    line = {"variant_id": product["variants"][0]["id"], "quantity": 99}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    answer = await shopper.post("/api/v1/checkout", json={})
    assert answer.status_code == 422, answer.text
    assert "at most" in answer.json()["fields"]["cart"]
    assert await db.scalar(select(func.count(Order.id))) == 0


async def test_a_charge_that_is_not_the_orders_total_does_not_pay_it(
    app: Litestar, merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    product = await make_product(merchant, "Dew Serum", price=2_599, stock=5)
    await add_address(shopper)
    line = {"variant_id": product["variants"][0]["id"], "quantity": 1}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    checkout = (await shopper.post("/api/v1/checkout", json={})).json()
    intent_id = str(checkout["payment"]["payment_intent_id"])
    short = Intent(id=intent_id, status="succeeded", amount=1, currency="USD", client_secret="")
    async with app.state.sessions() as session:
        order = await settlement.apply_intent(session, app.state["order_events"], short)
        await session.commit()
    assert order is not None
    shown = (await shopper.get(f"/api/v1/orders/{checkout['order_id']}")).json()
    assert shown["status"] == "pending_payment"
    row = await db.scalar(select(Order).where(Order.id == checkout["order_id"]))
    assert row is not None
    assert "held for an operator" in row.status_reason
