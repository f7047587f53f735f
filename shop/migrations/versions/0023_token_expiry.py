"""API tokens may expire: api_tokens.expires_at (None: until revoked)

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: a plain ALTER on both databases (no SQLite table rebuild).
    op.add_column("api_tokens", sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
