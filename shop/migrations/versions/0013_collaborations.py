"""open collaborations: a merchant opens a product to every creator at a commission rate

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "collaborations",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("product_id", BIGINT, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("merchant_id", BIGINT, sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("closed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("commission_bps >= 100 AND commission_bps <= 8000", name=op.f("ck_collaborations_bps_range")),
    )
    op.create_index(
        "uq_collaborations_open_product",
        "collaborations",
        ["product_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_collaborations_status_bps", "collaborations", ["status", "commission_bps", "id"])


def downgrade() -> None:
    op.drop_table("collaborations")
