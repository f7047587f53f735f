"""refunds keep their per-line split and Stripe's own status

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as batch_op:
        batch_op.add_column(sa.Column("stripe_status", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("lines", sa.JSON(), server_default="{}", nullable=False))
    # Refunds stored before this knew Stripe's answer only in `status`.
    op.execute(
        "UPDATE refunds SET stripe_status = status, status = 'succeeded' "
        "WHERE stripe_refund_id IS NOT NULL AND status NOT IN ('failed', 'succeeded')"
    )


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch_op:
        batch_op.drop_column("lines")
        batch_op.drop_column("stripe_status")
