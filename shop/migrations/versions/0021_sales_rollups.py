"""sales rollups: each shop's sales by UTC hour and dimension (shop, source, creator), and its
buyers by day, which the dashboard home reads instead of every order line; filled from the paid
orders already there; order lines indexed by (order, shop)

Revision ID: 0021
Revises: 0020
"""

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PAID_STATES = ("paid", "fulfilled", "partially_refunded", "refunded")


def upgrade() -> None:
    op.create_table(
        "sales_hours",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("merchant_id", BIGINT, nullable=False),
        sa.Column("hour", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("source_id", BIGINT, nullable=False),
        sa.Column("creator_id", BIGINT, nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("paid", BIGINT, nullable=False),
        sa.Column("refunded", BIGINT, nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("deal_id", BIGINT, nullable=False),
        sa.UniqueConstraint(
            "merchant_id",
            "dimension",
            "hour",
            "currency",
            "source_id",
            "creator_id",
            "slot",
            name="uq_sales_hours_key",
        ),
    )
    op.create_table(
        "sales_buyers",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("merchant_id", BIGINT, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", BIGINT, nullable=False),
        sa.UniqueConstraint("merchant_id", "day", "user_id", name="uq_sales_buyers_key"),
    )
    op.create_index("ix_order_lines_order_merchant", "order_lines", ["order_id", "merchant_id"])
    op.drop_index("ix_order_lines_order_id", table_name="order_lines")  # its prefix
    _backfill()


def _backfill(dimensions: frozenset[str] | None = None) -> None:
    """The paid orders so far, through the same arithmetic as the app (refunds as reserved now).
    `dimensions`: only the rows of these (a later migration adding a dimension), not the buyers."""
    from shop.dashboard.sales import KEY, aggregate

    bind = op.get_bind()
    orders_t = sa.table(
        "orders",
        sa.column("id", sa.Integer()),
        sa.column("user_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("paid_at", DateTimeUTC(timezone=True)),
    )
    lines_t = sa.table(
        "order_lines",
        *(sa.column(name, sa.Integer()) for name in _LINE_INTS),
        sa.column("currency", sa.String()),
        sa.column("source_type", sa.String()),
    )
    paid = sa.select(orders_t).where(orders_t.c.paid_at.is_not(None), orders_t.c.status.in_(PAID_STATES))
    orders = {row.id: SimpleNamespace(**row._mapping, lines=[]) for row in bind.execute(paid)}
    if not orders:
        return
    refunded: dict[int, int] = {}
    paid_ids = paid.with_only_columns(orders_t.c.id)
    for row in bind.execute(sa.select(lines_t).where(lines_t.c.order_id.in_(paid_ids))):
        line: Any = SimpleNamespace(**row._mapping, total_amount=row.unit_amount * row.quantity)
        orders[row.order_id].lines.append(line)
        refunded[row.id] = row.refunded_amount
    deltas, buyers = aggregate(orders.values(), refunded)
    typed = {"hour": DateTimeUTC(timezone=True), "currency": sa.String(), "dimension": sa.String()}
    names = (*KEY, "paid", "refunded", "orders", "deal_id")
    columns = (sa.column(c, typed.get(c, sa.Integer())) for c in names)
    rows = [
        {**dict(zip(KEY, key, strict=True)), **vars(delta)}
        for key, delta in deltas.items()
        if dimensions is None or key[KEY.index("dimension")] in dimensions
    ]
    if rows:
        op.bulk_insert(sa.table("sales_hours", *columns), rows)
    if dimensions is not None:
        return
    buyers_t = sa.table(
        "sales_buyers",
        sa.column("merchant_id", sa.Integer()),
        sa.column("day", sa.Date()),
        sa.column("user_id", sa.Integer()),
    )
    op.bulk_insert(buyers_t, [{"merchant_id": m, "day": d, "user_id": u} for m, d, u in sorted(buyers)])


_LINE_INTS = (
    "id",
    "order_id",
    "merchant_id",
    "source_id",
    "creator_id",
    "deal_id",
    "unit_amount",
    "quantity",
    "refunded_amount",
)


def downgrade() -> None:
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    op.drop_index("ix_order_lines_order_merchant", table_name="order_lines")
    op.drop_table("sales_buyers")
    op.drop_table("sales_hours")
