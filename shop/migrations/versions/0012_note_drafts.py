"""notes can be drafts: status (draft | published) and published_at; every existing note is published

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch rebuilds the table, which would drop the
    # full-text triggers (0007) that keep notes_fts in step with notes.
    status_check = sa.CheckConstraint("status in ('draft','published')", name="note_status")
    op.add_column(
        "notes", sa.Column("status", sa.String(16), status_check, server_default="published", nullable=False)
    )
    op.add_column("notes", sa.Column("published_at", DateTimeUTC(timezone=True), nullable=True))
    op.create_index("ix_notes_author_status", "notes", ["author_id", "status"], unique=False)
    # Notes posted before drafts existed went out when they were made.
    op.execute("UPDATE notes SET published_at = created_at")


def downgrade() -> None:
    op.drop_index("ix_notes_author_status", table_name="notes")
    op.drop_column("notes", "published_at")
    op.drop_column("notes", "status")
