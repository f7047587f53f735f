"""operators: the users role may be 'operator'; a shop has a status (unverified | verified |
suspended), the operator's reason and when it changed

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_ROLES = "role in ('shopper','creator','merchant')"
NEW_ROLES = "role in ('shopper','creator','merchant','operator')"


def upgrade() -> None:
    _replace_role_check(OLD_ROLES, NEW_ROLES)
    # Plain ADD COLUMN (a column CHECK is allowed there), not a batch: merchants is referenced by
    # products, streams, orders… with ON DELETE CASCADE, and SQLite rebuilds a table by dropping it.
    status_check = sa.CheckConstraint(
        "status in ('unverified','verified','suspended')", name=op.f("ck_merchants_shop_status")
    )
    op.add_column(
        "merchants",
        sa.Column("status", sa.String(12), status_check, server_default="unverified", nullable=False),
    )
    op.add_column("merchants", sa.Column("status_reason", sa.String(300), server_default="", nullable=False))
    op.add_column("merchants", sa.Column("status_changed_at", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("merchants", "status_changed_at")
    op.drop_column("merchants", "status_reason")
    op.drop_column("merchants", "status")
    op.execute("UPDATE users SET role = 'shopper' WHERE role = 'operator'")
    _replace_role_check(NEW_ROLES, OLD_ROLES)


def _replace_role_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    # SQLite cannot alter a CHECK, and batch_alter_table would rebuild `users` by DROP TABLE, which
    # (foreign keys on, inside this transaction) cascades into every row that references a user and
    # drops the full-text triggers of 0007. Widening or narrowing a CHECK does not change how rows
    # are stored, so SQLite's documented procedure applies: edit the stored CREATE TABLE text and
    # bump the schema version (https://sqlite.org/lang_altertable.html, "otheralter").
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'users' "
        "AND instr(sql, ?) > 0",
        (old, new, old),
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise RuntimeError(f"users has no CHECK ({old}) to replace")
