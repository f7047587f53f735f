"""showcase: product categories, the collaboration rate history, creators' showcases

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CATEGORIES = ("beauty", "fashion", "food", "home", "tech", "sports", "kids", "other")


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN with its CHECK, not a batch: SQLite would rebuild `products` by dropping it,
    # and everything that references a product cascades (see 0014).
    check = sa.CheckConstraint(
        "category in (" + ",".join(f"'{c}'" for c in CATEGORIES) + ")", name=op.f("ck_products_category")
    )
    op.add_column(
        "products", sa.Column("category", sa.String(24), check, server_default="other", nullable=False)
    )
    op.create_table(
        "collaboration_rates",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column(
            "collaboration_id",
            BIGINT,
            sa.ForeignKey("collaborations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("effective_at", DateTimeUTC(timezone=True), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "commission_bps >= 100 AND commission_bps <= 8000",
            name=op.f("ck_collaboration_rates_rate_bps_range"),
        ),
    )
    op.create_index("ix_collaboration_rates_collaboration", "collaboration_rates", ["collaboration_id", "id"])
    # Collaborations opened before this history existed: their rate, in force since they opened.
    op.execute(
        "INSERT INTO collaboration_rates"
        " (collaboration_id, commission_bps, effective_at, created_at, updated_at)"
        " SELECT id, commission_bps, created_at, created_at, created_at FROM collaborations"
    )
    op.create_table(
        "showcase_items",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("creator_id", BIGINT, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", BIGINT, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("added_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("creator_id", "product_id", name="uq_showcase_items_creator_product"),
    )
    op.create_index("ix_showcase_items_product_id", "showcase_items", ["product_id"])


def downgrade() -> None:
    op.drop_table("showcase_items")
    op.drop_table("collaboration_rates")
    op.drop_column("products", "category")
