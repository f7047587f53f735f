"""live chat moderation: mutes, host-wide blocks, keyword lists, chatters (slow mode), the action
log; chat settings on streams; the author of each chat event

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _audit() -> list[sa.Column]:
    return [
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def _fk(name: str, table: str, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(name, BIGINT, sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "stream_mutes",
        *_audit(),
        _fk("stream_id", "streams"),
        _fk("user_id", "users"),
        sa.Column("until", DateTimeUTC(timezone=True), nullable=True),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_mutes"),
    )
    op.create_table(
        "live_blocks",
        *_audit(),
        _fk("host_id", "users"),
        _fk("user_id", "users"),
        sa.UniqueConstraint("host_id", "user_id", name="uq_live_blocks"),
    )
    op.create_table(
        "live_keywords",
        *_audit(),
        _fk("host_id", "users"),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.UniqueConstraint("host_id"),
    )
    op.create_table(
        "stream_chatters",
        *_audit(),
        _fk("stream_id", "streams"),
        _fk("user_id", "users"),
        sa.Column("last_chat_at", DateTimeUTC(timezone=True), nullable=False),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_chatters"),
    )
    op.create_table(
        "moderation_actions",
        *_audit(),
        _fk("stream_id", "streams", nullable=True),
        _fk("host_id", "users"),
        _fk("actor_id", "users"),
        sa.Column("action", sa.String(24), nullable=False),
        _fk("target_user_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
    )
    op.create_index("ix_moderation_actions_stream", "moderation_actions", ["stream_id", "id"])
    op.create_index("ix_moderation_actions_host", "moderation_actions", ["host_id", "id"])
    # Plain ALTERs: a batch rebuild on SQLite would drop the ON DELETE of streams.deal_id (added
    # by a plain ALTER in 0016, which reflection does not carry over).
    op.add_column("streams", sa.Column("slow_mode_s", sa.Integer(), server_default="0", nullable=False))
    off = sa.Column("comments_off", sa.Boolean(), server_default=sa.false(), nullable=False)
    op.add_column("streams", off)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE stream_events ADD COLUMN author_id INTEGER REFERENCES users (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("stream_events", sa.Column("author_id", BIGINT, nullable=True))
        op.create_foreign_key(
            "fk_stream_events_author_id_users",
            "stream_events",
            "users",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_stream_events_author", "stream_events", ["stream_id", "author_id"])


def downgrade() -> None:
    op.drop_index("ix_stream_events_author", table_name="stream_events")
    op.execute("ALTER TABLE stream_events DROP COLUMN author_id")
    op.execute("ALTER TABLE streams DROP COLUMN comments_off")
    op.execute("ALTER TABLE streams DROP COLUMN slow_mode_s")
    for table in ("moderation_actions", "stream_chatters", "live_keywords", "live_blocks", "stream_mutes"):
        op.drop_table(table)
