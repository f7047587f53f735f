"""translations: the cache of what providers translated, by (sha256 of text, source, target, provider)

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "translations",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("translated", sa.Text(), nullable=False),
        sa.UniqueConstraint("text_sha256", "source", "target", "provider", name="uq_translations_key"),
    )


def downgrade() -> None:
    op.drop_table("translations")
