"""jobs record their failures on the item: tries, the last error, the next try; events get a status

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The rows a background job retries (see shop.core.retry.Retried).
RETRIED = ("payment_events", "refunds", "payment_attempts", "flash_sales")


def upgrade() -> None:
    for table in RETRIED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
            batch.add_column(sa.Column("last_error", sa.String(500), nullable=True))
            batch.add_column(sa.Column("next_attempt_at", DateTimeUTC(timezone=True), nullable=True))
    with op.batch_alter_table("payment_events") as batch:
        batch.add_column(sa.Column("status", sa.String(16), server_default="pending", nullable=False))
        batch.create_index("ix_payment_events_status", ["status", "id"])
    # Events applied before this revision are done; the rest stay pending and are retried.
    op.execute("UPDATE payment_events SET status = 'processed' WHERE processed_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("payment_events") as batch:
        batch.drop_index("ix_payment_events_status")
        batch.drop_column("status")
    for table in RETRIED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("next_attempt_at")
            batch.drop_column("last_error")
            batch.drop_column("failures")
