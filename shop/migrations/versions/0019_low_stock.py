"""low stock and stock notes: variants.low_stock_threshold (0 = never "low", only "out"), and the
merchant's free-text note on a stock movement

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (a column CHECK is allowed there), never a batch: SQLite rebuilds a table by
    # dropping it, and variants is referenced with ON DELETE CASCADE (cart lines, the stock ledger);
    # see 0014 and 0016. NOT NULL with a default of 0, so existing variants read "no threshold".
    threshold_check = sa.CheckConstraint(
        "low_stock_threshold >= 0", name=op.f("ck_variants_low_stock_nonneg")
    )
    op.add_column(
        "variants",
        sa.Column("low_stock_threshold", sa.Integer(), threshold_check, server_default="0", nullable=False),
    )
    op.add_column("stock_movements", sa.Column("note", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("stock_movements", "note")
    op.drop_column("variants", "low_stock_threshold")
