"""sales rollups: a "notes" row per shop and hour (lines bought from any note), so the funnel's
paid step reads the rollups instead of every order line; filled from the paid orders already there

Revision ID: 0028
Revises: 0027
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

ANY_NOTE = "notes"


def upgrade() -> None:
    # 0021's backfill, through the app's arithmetic, keeping only the new dimension's rows
    path = Path(__file__).with_name("0021_sales_rollups.py")
    spec = importlib.util.spec_from_file_location("sales_rollups_0021", path)
    assert spec is not None and spec.loader is not None
    rollups = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rollups)
    op.execute(sa.text("DELETE FROM sales_hours WHERE dimension = :d").bindparams(d=ANY_NOTE))
    rollups._backfill(frozenset({ANY_NOTE}))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM sales_hours WHERE dimension = :d").bindparams(d=ANY_NOTE))
