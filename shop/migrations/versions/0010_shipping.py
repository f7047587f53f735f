"""orders ship: the address snapshot, fulfilments with their lines, fulfilled_at; refunds say why they failed

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        # Nullable: orders placed before this revision have no address to copy.
        batch.add_column(sa.Column("shipping_address", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("fulfilled_at", DateTimeUTC(timezone=True), nullable=True))
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("failure_reason", sa.String(300), nullable=True))
    op.create_table(
        "fulfilments",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("order_id", BIGINT, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("merchant_id", BIGINT, sa.ForeignKey("merchants.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("carrier", sa.String(60), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        *_stamps(),
    )
    op.create_index("ix_fulfilments_order_id", "fulfilments", ["order_id"])
    op.create_index("ix_fulfilments_merchant_id", "fulfilments", ["merchant_id"])
    op.create_table(
        "fulfilment_lines",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column(
            "fulfilment_id", BIGINT, sa.ForeignKey("fulfilments.id", ondelete="CASCADE"), nullable=False
        ),
        # Unique: a line ships once, whatever two requests race to do.
        sa.Column(
            "order_line_id",
            BIGINT,
            sa.ForeignKey("order_lines.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        *_stamps(),
    )
    op.create_index("ix_fulfilment_lines_fulfilment_id", "fulfilment_lines", ["fulfilment_id"])


def downgrade() -> None:
    op.drop_table("fulfilment_lines")
    op.drop_table("fulfilments")
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("failure_reason")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("fulfilled_at")
        batch.drop_column("shipping_address")
