"""stream samples: a live room's viewers and likes total every 10 s (the sampler job), and indexes
for reading one stream's engagement events and order lines (its analytics page)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stream_samples",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("stream_id", BIGINT, sa.ForeignKey("streams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("viewers", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        # One row per stream and 10-second slot, however many app processes sample it.
        sa.UniqueConstraint("stream_id", "at", name="uq_stream_samples_slot"),
        sa.CheckConstraint("viewers >= 0 AND likes >= 0", name=op.f("ck_stream_samples_counts_nonneg")),
    )
    # A new index on an append-only table: no rebuild on either database.
    op.create_index(
        "ix_engagement_events_stream",
        "engagement_events",
        ["stream_id", "occurred_at"],
        sqlite_where=sa.text("stream_id IS NOT NULL"),
        postgresql_where=sa.text("stream_id IS NOT NULL"),
    )
    op.create_index("ix_order_lines_source", "order_lines", ["source_type", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_source", table_name="order_lines")
    op.drop_index("ix_engagement_events_stream", table_name="engagement_events")
    op.drop_table("stream_samples")
