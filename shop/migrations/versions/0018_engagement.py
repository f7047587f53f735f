"""engagement events (append-only), their daily rollups and the rollup's high-water mark

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TYPES = "type in ('note_view','tag_tap','product_view','room_join','add_to_cart')"


def upgrade() -> None:
    # No foreign keys: an event is a record of the past and outlives the note or product it names,
    # and the append-only table must never be touched by a cascade.
    op.create_table(
        "engagement_events",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("type", sa.String(12), nullable=False),
        sa.Column("merchant_id", BIGINT, nullable=False),
        sa.Column("note_id", BIGINT, nullable=True),
        sa.Column("stream_id", BIGINT, nullable=True),
        sa.Column("product_id", BIGINT, nullable=True),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.Column("new_visitor", sa.Boolean(), nullable=False),
        sa.Column("new_in_shop", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occurred_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(TYPES, name=op.f("ck_engagement_events_type")),
    )
    op.create_table(
        "engagement_daily",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("merchant_id", BIGINT, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(12), nullable=False),
        sa.Column("note_id", BIGINT, nullable=False),
        sa.Column("product_id", BIGINT, nullable=False),
        sa.Column("stream_id", BIGINT, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("shop_visitors", sa.Integer(), nullable=False),
        sa.CheckConstraint(TYPES, name=op.f("ck_engagement_daily_type")),
        sa.UniqueConstraint(
            "merchant_id", "day", "type", "note_id", "product_id", "stream_id", name="uq_engagement_daily_key"
        ),
    )
    op.create_table(
        "rollup_marks",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("last_id", BIGINT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rollup_marks")
    op.drop_table("engagement_daily")
    op.drop_table("engagement_events")
