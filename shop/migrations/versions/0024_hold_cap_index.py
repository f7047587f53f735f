"""flash-sale holds by account and state: the cap on units one account holds at once

Revision ID: 0024
Revises: 0023
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_flash_sale_holds_user_state", "flash_sale_holds", ["user_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_flash_sale_holds_user_state", table_name="flash_sale_holds")
