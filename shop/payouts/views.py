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
from shop.payouts.settlement import LIVE_TRANSFERS, Share, commission_sums_for, merchant_share

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
    db: AsyncSession, merchant: Merchant, fee_bps: int, limit: int = 200, before: int | None = None
) -> list[dict[str, Any]]:
    """Each paid order with this shop's lines, newest first (`before`: older than that order id).
    Four queries per page, whatever its size. `state`: unsettled (not payable yet or not planned),
    planned (waiting to be sent, or for the payee's account), or sent."""
    mine = select(OrderLine.order_id).where(OrderLine.merchant_id == merchant.id)
    stmt = select(Order).where(Order.id.in_(mine), Order.status.in_(PAID_STATES))
    if before is not None:
        stmt = stmt.where(Order.id < before)
    orders = (await db.scalars(stmt.order_by(Order.id.desc()).limit(limit))).unique().all()
    ids = [order.id for order in orders]
    by_line = await commission_sums_for(db, ids)
    transfers = await _merchant_transfers(db, merchant, ids)
    rows = []
    for order in orders:
        lines = [line for line in order.lines if line.merchant_id == merchant.id]
        share = merchant_share(merchant.id, merchant.owner_id, lines, by_line, fee_bps)
        rows.append(_row(order, share, transfers.get(order.id)))
    return rows


async def _merchant_transfers(
    db: AsyncSession, merchant: Merchant, order_ids: list[int]
) -> dict[int, PayoutTransfer]:
    """The newest live merchant transfer of each order (one query)."""
    if not order_ids:
        return {}
    stmt = (
        select(PayoutTransfer)
        .where(
            PayoutTransfer.order_id.in_(order_ids),
            PayoutTransfer.role == PayeeRole.MERCHANT,
            PayoutTransfer.merchant_id == merchant.id,
            PayoutTransfer.state.in_(LIVE_TRANSFERS),
        )
        .order_by(PayoutTransfer.id)
    )
    return {t.order_id: t for t in (await db.scalars(stmt)).all() if t.order_id is not None}


def _row(order: Order, share: Share, transfer: PayoutTransfer | None) -> dict[str, Any]:
    def money(amount: int) -> dict[str, Any]:
        return {"amount": amount, "currency": order.currency}

    state = "unsettled"
    if transfer is not None:
        state = "sent" if transfer.state == TransferState.SENT else "planned"
    return {
        "order_id": order.id,
        "gross": money(share.gross),
        "refunded": money(share.refunded),
        "commissions": money(share.commissions),
        "platform_fee": money(share.platform_fee),
        "net": money(share.amount),
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


def settlement_cells(r: dict[str, Any]) -> list[object]:
    amounts = [r[column]["amount"] for column in ("gross", "refunded", "commissions", "platform_fee", "net")]
    return [r["order_id"], r["gross"]["currency"], *amounts, r["state"], r["transfer_id"] or ""]


def settlements_csv(rows: list[dict[str, Any]]) -> str:
    return to_csv(SETTLEMENT_COLUMNS, (settlement_cells(r) for r in rows))
