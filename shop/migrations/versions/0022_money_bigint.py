"""money in 64-bit columns on PostgreSQL: a 32-bit integer of minor units overflows at
21,474,836.47 USD (99 units at 1,000,000.00 returned a 500); SQLite's INTEGER is 64-bit already

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

MONEY_COLUMNS = {
    "variants": ("price_amount",),
    "commission_entries": ("amount",),
    "offers": ("fee_amount", "flash_min_price"),
    "held_fees": ("amount", "refund_amount", "release_amount"),
    "orders": ("total_amount", "refunded_amount"),
    "order_lines": ("unit_amount", "refunded_amount"),
    "payout_transfers": ("amount", "platform_fee", "netted"),
    "payout_reversals": ("amount",),
    "payout_carries": ("amount",),
    "flash_sales": ("price_amount",),
    "payment_attempts": ("amount",),
    "refunds": ("amount",),
}


def _retype(to: sa.types.TypeEngine[int], was: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # a batch rebuild on SQLite would drop the search triggers, for no change in range
    for table, columns in MONEY_COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=to, existing_type=was)


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())
