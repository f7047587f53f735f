"""the social loop: notifications, comment likes, stream reminders, interests, sessions, avatars,
and full-text search that finds Chinese (SQLite FTS5 trigram, PostgreSQL pg_trgm)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Each searchable table and the columns its index covers (all stored lower-cased or case-folded).
SEARCHED = {"notes": ["search_text"], "products": ["search_text"], "users": ["display_name", "bio"]}


def _audit() -> list[sa.Column]:
    return [
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def _user_fk(name: str = "user_id", nullable: bool = False) -> sa.Column:
    return sa.Column(name, BIGINT, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notifications",
        *_audit(),
        _user_fk(),
        sa.Column("kind", sa.String(20), nullable=False),
        _user_fk("actor_id", nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("read_at", DateTimeUTC(timezone=True), nullable=True),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "id"])
    op.create_table(
        "comment_likes",
        *_audit(),
        sa.Column("comment_id", BIGINT, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
        _user_fk(),
        sa.UniqueConstraint("comment_id", "user_id", name="uq_comment_likes"),
    )
    op.create_index("ix_comment_likes_user_id", "comment_likes", ["user_id"])
    with op.batch_alter_table("comments") as batch_op:
        batch_op.add_column(sa.Column("like_count", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "stream_reminders",
        *_audit(),
        sa.Column("stream_id", BIGINT, sa.ForeignKey("streams.id", ondelete="CASCADE"), nullable=False),
        _user_fk(),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_reminders"),
    )
    op.create_index("ix_stream_reminders_user_id", "stream_reminders", ["user_id"])
    op.create_table(
        "user_interests",
        *_audit(),
        _user_fk(),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.UniqueConstraint("user_id", "topic", name="uq_user_interests"),
    )
    op.create_table(
        "user_sessions",
        *_audit(),
        _user_fk(),
        sa.Column("user_agent", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("revoked_at", DateTimeUTC(timezone=True), nullable=True),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(120), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search()
    else:
        _sqlite_search()


def _postgres_search() -> None:
    # pg_trgm indexes any script (CJK included) and serves LIKE '%…%' from a GIN index.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_notes_search_trgm ON notes USING gin (search_text gin_trgm_ops)")
    op.execute("CREATE INDEX ix_products_search_trgm ON products USING gin (search_text gin_trgm_ops)")
    op.execute(
        "CREATE INDEX ix_users_search_trgm ON users USING gin "
        "(lower(display_name || ' ' || bio) gin_trgm_ops)"
    )


def _sqlite_search() -> None:
    # External-content FTS5 tables with the trigram tokenizer (case-insensitive, any script),
    # kept in step with their tables by triggers.
    for table, columns in SEARCHED.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        fts = f"{table}_fts"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
            "tokenize='trigram')"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in ("ix_notes_search_trgm", "ix_products_search_trgm", "ix_users_search_trgm"):
            op.execute(f"DROP INDEX IF EXISTS {index}")
    else:
        for table in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("avatar_key")
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_column("like_count")
    for table in ("user_sessions", "user_interests", "stream_reminders", "comment_likes", "notifications"):
        op.drop_table(table)
