"""attribution on order lines, the commission ledger, connected accounts, transfers and reversals

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", BIGINT, primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False, ondelete: str | None = None) -> sa.Column:
    return sa.Column(name, BIGINT, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _when(name: str) -> sa.Column:
    return sa.Column(name, DateTimeUTC(timezone=True), nullable=True)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def _retry() -> list[sa.Column]:
    return [
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("next_attempt_at", DateTimeUTC(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    _attribution_columns()
    op.create_table(
        "payout_accounts",
        _id(),
        _fk("user_id", "users.id", ondelete="RESTRICT"),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("stripe_account_id", sa.String(80), nullable=True, unique=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("payouts_enabled", sa.Boolean(), nullable=False),
        sa.Column("details_submitted", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "payout_orders",
        _id(),
        _fk("order_id", "orders.id", ondelete="RESTRICT"),
        *_stamps(),
        sa.UniqueConstraint("order_id"),
    )
    op.create_table(
        "payout_transfers",
        _id(),
        _fk("payee_id", "users.id", ondelete="RESTRICT"),
        sa.Column("role", sa.String(10), nullable=False),
        _fk("order_id", "orders.id", nullable=True, ondelete="RESTRICT"),
        _fk("offer_id", "offers.id", nullable=True, ondelete="RESTRICT"),
        _fk("merchant_id", "merchants.id", nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("platform_fee", sa.Integer(), nullable=False),
        sa.Column("netted", sa.Integer(), nullable=False),
        sa.Column("transfer_group", sa.String(40), nullable=False),
        sa.Column("source_charge_id", sa.String(80), nullable=True),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("stripe_transfer_id", sa.String(80), nullable=True, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        _when("sent_at"),
        *_retry(),
        *_stamps(),
    )
    op.create_index("ix_payout_transfers_payee_id", "payout_transfers", ["payee_id"])
    op.create_index("ix_payout_transfers_order_payee", "payout_transfers", ["order_id", "payee_id", "role"])
    op.create_index("ix_payout_transfers_state", "payout_transfers", ["state", "id"])
    op.create_table(
        "payout_reversals",
        _id(),
        _fk("transfer_id", "payout_transfers.id", ondelete="RESTRICT"),
        sa.Column("amount", sa.Integer(), nullable=False),
        _fk("refund_id", "refunds.id", nullable=True, ondelete="SET NULL"),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("stripe_reversal_id", sa.String(80), nullable=True, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        *_retry(),
        *_stamps(),
    )
    op.create_index("ix_payout_reversals_transfer_id", "payout_reversals", ["transfer_id"])
    op.create_table(
        "payout_carries",
        _id(),
        _fk("payee_id", "users.id", ondelete="RESTRICT"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        _fk("reversal_id", "payout_reversals.id", nullable=True),
        _fk("transfer_id", "payout_transfers.id", nullable=True),
        *_stamps(),
    )
    op.create_index("ix_payout_carries_payee_id", "payout_carries", ["payee_id"])
    _commission_tables()


def _attribution_columns() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, target in (("creator_id", "users"), ("deal_id", "deals"), ("collaboration_id", "collaborations")):
        if sqlite:  # a plain ALTER with an inline REFERENCES: no batch rebuild of order_lines
            op.execute(f"ALTER TABLE order_lines ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        else:
            op.add_column("order_lines", sa.Column(column, BIGINT, nullable=True))
            op.create_foreign_key(f"fk_order_lines_{column}_{target}", "order_lines", target, [column], ["id"])
    op.add_column("order_lines", sa.Column("commission_bps", sa.Integer(), nullable=True))


def _commission_tables() -> None:
    op.create_table(
        "commissions",
        _id(),
        _fk("order_line_id", "order_lines.id", ondelete="RESTRICT"),
        _fk("order_id", "orders.id", ondelete="RESTRICT"),
        _fk("creator_id", "users.id", ondelete="RESTRICT"),
        _fk("merchant_id", "merchants.id", ondelete="RESTRICT"),
        _fk("deal_id", "deals.id", nullable=True, ondelete="SET NULL"),
        _fk("collaboration_id", "collaborations.id", nullable=True, ondelete="SET NULL"),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        _when("payable_at"),
        _fk("transfer_id", "payout_transfers.id", nullable=True),
        _when("paid_at"),
        *_stamps(),
        sa.UniqueConstraint("order_line_id"),
    )
    op.create_index("ix_commissions_order_id", "commissions", ["order_id"])
    op.create_index("ix_commissions_creator_id", "commissions", ["creator_id"])
    op.create_index("ix_commissions_creator_state", "commissions", ["creator_id", "state"])
    op.create_table(
        "commission_entries",
        _id(),
        _fk("commission_id", "commissions.id", ondelete="RESTRICT"),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        _fk("refund_id", "refunds.id", nullable=True, ondelete="SET NULL"),
        *_stamps(),
    )
    op.create_index("ix_commission_entries_commission_id", "commission_entries", ["commission_id"])


def downgrade() -> None:
    for table in ("commission_entries", "commissions", "payout_carries", "payout_reversals"):
        op.drop_table(table)
    op.drop_table("payout_transfers")
    op.drop_table("payout_orders")
    op.drop_table("payout_accounts")
    for column in ("commission_bps", "collaboration_id", "deal_id", "creator_id"):
        op.execute(f"ALTER TABLE order_lines DROP COLUMN {column}")
