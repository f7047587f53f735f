"""offers, deals and held fees; notes and streams bound to deals carry the disclosure label

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


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


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, DateTimeUTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("merchant_id", BIGINT, sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("creator_id", BIGINT, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deliverable", sa.String(8), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        _when("due_at", False),
        sa.Column("fee_amount", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=True),
        sa.Column("samples", sa.Boolean(), nullable=False),
        sa.Column("flash_max_quantity", sa.Integer(), nullable=True),
        sa.Column("flash_min_price", sa.Integer(), nullable=True),
        sa.Column("flash_per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        _when("expires_at", False),
        _when("decided_at"),
        *_retry(),
        *_stamps(),
    )
    op.create_index("ix_offers_merchant_id", "offers", ["merchant_id"])
    op.create_index("ix_offers_creator_id", "offers", ["creator_id"])
    op.create_index("ix_offers_status_expires", "offers", ["status", "expires_at"])
    op.create_table(
        "offer_products",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("offer_id", BIGINT, sa.ForeignKey("offers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", BIGINT, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("offer_id", "product_id", name="uq_offer_products"),
    )
    op.create_index("ix_offer_products_product_id", "offer_products", ["product_id"])
    op.create_table(
        "deals",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("offer_id", BIGINT, sa.ForeignKey("offers.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("merchant_id", BIGINT, sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("creator_id", BIGINT, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note_id", BIGINT, sa.ForeignKey("notes.id", ondelete="SET NULL"), nullable=True),
        sa.Column("stream_id", BIGINT, sa.ForeignKey("streams.id", ondelete="SET NULL"), nullable=True),
        sa.Column("change_rounds", sa.Integer(), nullable=False),
        sa.Column("review_days", sa.Integer(), nullable=False),
        sa.Column("protection_days", sa.Integer(), nullable=False),
        _when("review_due_at"),
        _when("published_at"),
        _when("protected_until"),
        sa.Column("cancel_requested_by", sa.String(8), nullable=True),
        sa.Column("settlement", sa.String(8), nullable=True),
        *_retry(),
        *_stamps(),
    )
    op.create_index("ix_deals_merchant_id", "deals", ["merchant_id"])
    op.create_index("ix_deals_creator_id", "deals", ["creator_id"])
    op.create_index("ix_deals_status", "deals", ["status", "id"])
    op.create_table(
        "deal_rounds",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("deal_id", BIGINT, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor_id", BIGINT, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        *_stamps(),
    )
    op.create_index("ix_deal_rounds_deal_id", "deal_rounds", ["deal_id"])
    op.create_table(
        "held_fees",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("offer_id", BIGINT, sa.ForeignKey("offers.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("payment_intent_id", sa.String(80), nullable=True, unique=True),
        sa.Column("client_secret", sa.String(200), nullable=True),
        sa.Column("intent_status", sa.String(32), nullable=False),
        sa.Column("error_message", sa.String(300), nullable=True),
        sa.Column("refund_amount", sa.Integer(), nullable=False),
        sa.Column("refund_key", sa.String(80), nullable=True, unique=True),
        sa.Column("stripe_refund_id", sa.String(80), nullable=True),
        sa.Column("release_amount", sa.Integer(), nullable=False),
        _when("held_at"),
        *_retry(),
        *_stamps(),
    )
    op.create_index("ix_held_fees_state", "held_fees", ["state", "id"])
    # Plain ALTERs (no batch rebuild on SQLite: rebuilding notes would drop its search triggers).
    _add_deal_column("notes")
    _add_deal_column("streams")
    _add_deal_column("flash_sales", with_label=False)
    op.execute("ALTER TABLE notes DROP COLUMN disclosure")


def _add_deal_column(table: str, *, with_label: bool = True) -> None:
    if with_label:
        op.add_column(table, sa.Column("disclosure_kind", sa.String(20), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN deal_id INTEGER REFERENCES deals (id) ON DELETE SET NULL")
    else:
        op.add_column(table, sa.Column("deal_id", BIGINT, nullable=True))
        op.create_foreign_key(f"fk_{table}_deal_id_deals", table, "deals", ["deal_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.add_column("notes", sa.Column("disclosure", sa.String(120), nullable=True))
    for table in ("notes", "streams", "flash_sales"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN deal_id")
    for table in ("notes", "streams"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN disclosure_kind")
    for table in ("held_fees", "deal_rounds", "deals", "offer_products", "offers"):
        op.drop_table(table)
