"""A merchant's settlements, order by order: gross, refunds, commissions, fee, net, and the transfer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.core.exports import to_csv
from shop.orders.models import Order, OrderLine
from shop.orders.states import PAID_STATES
from shop.payouts.models import PayeeRole, PayoutTransfer, TransferState
from shop.payouts.settlement import shares

SETTLEMENT_COLUMNS = (
    "order_id",
    "currency",
    "gross",
    "refunded",
    "commissions",
    "platform_fee",
    "net",
    "state",
    "transfer_id",
)


async def settlements(
    db: AsyncSession, merchant: Merchant, fee_bps: int, limit: int = 200
) -> list[dict[str, Any]]:
    """Each paid order with this shop's lines, newest first. `state`: unsettled (not payable yet or
    not planned), planned (waiting to be sent, or for the payee's account), or sent."""
    mine = select(OrderLine.order_id).where(OrderLine.merchant_id == merchant.id)
    orders = (
        await db.scalars(
            select(Order)
            .where(Order.id.in_(mine), Order.status.in_(PAID_STATES))
            .order_by(Order.id.desc())
            .limit(limit)
        )
    ).all()
    rows = []
    for order in orders:
        share = next(s for s in await shares(db, order, fee_bps) if s.merchant_id == merchant.id)
        transfer = await db.scalar(
            select(PayoutTransfer)
            .where(
                PayoutTransfer.order_id == order.id,
                PayoutTransfer.role == PayeeRole.MERCHANT,
                PayoutTransfer.merchant_id == merchant.id,
                PayoutTransfer.state != TransferState.FAILED,
            )
            .order_by(PayoutTransfer.id.desc())
            .limit(1)
        )
        rows.append(
            _row(
                order,
                share.gross,
                share.refunded,
                share.commissions,
                share.platform_fee,
                share.amount,
                transfer,
            )
        )
    return rows


def _row(
    order: Order,
    gross: int,
    refunded: int,
    commissions: int,
    fee: int,
    net: int,
    transfer: PayoutTransfer | None,
) -> dict[str, Any]:
    money = lambda amount: {"amount": amount, "currency": order.currency}  # noqa: E731
    state = (
        "unsettled" if transfer is None else ("sent" if transfer.state == TransferState.SENT else "planned")
    )
    return {
        "order_id": order.id,
        "gross": money(gross),
        "refunded": money(refunded),
        "commissions": money(commissions),
        "platform_fee": money(fee),
        "net": money(net),
        "state": state,
        "transfer_id": transfer.stripe_transfer_id if transfer else None,
        "paid_at": order.paid_at,
        "fulfilled_at": order.fulfilled_at,
    }


MONEY_COLUMNS = ("gross", "refunded", "commissions", "platform_fee", "net")


def settlement_totals(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """The rows' sums per currency and column: the page's totals row, equal to the CSV's sums."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        sums = totals.setdefault(row["net"]["currency"], dict.fromkeys(MONEY_COLUMNS, 0))
        for column in MONEY_COLUMNS:
            sums[column] += row[column]["amount"]
    return totals


async def products_by_order(
    db: AsyncSession, merchant: Merchant, order_ids: list[int]
) -> dict[int, list[str]]:
    """The names of this shop's products in each order (as bought), for the settlements page."""
    names: dict[int, list[str]] = {}
    if not order_ids:
        return names
    stmt = (
        select(OrderLine.order_id, OrderLine.product_name)
        .where(OrderLine.merchant_id == merchant.id, OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.id)
    )
    for order_id, name in (await db.execute(stmt)).all():
        names.setdefault(order_id, []).append(name)
    return names


def settlements_csv(rows: list[dict[str, Any]]) -> str:
    return to_csv(
        SETTLEMENT_COLUMNS,
        (
            [
                r["order_id"],
                r["gross"]["currency"],
                r["gross"]["amount"],
                r["refunded"]["amount"],
                r["commissions"]["amount"],
                r["platform_fee"]["amount"],
                r["net"]["amount"],
                r["state"],
                r["transfer_id"] or "",
            ]
            for r in rows
        ),
    )
