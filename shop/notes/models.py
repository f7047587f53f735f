from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.core.db import Base
from shop.deals.models import Deal


class Upload(Base):
    """A stored, validated image owned by the user who uploaded it, waiting to be used by a note."""

    __tablename__ = "uploads"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    thumb_key: Mapped[str] = mapped_column(String(120))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"  # the author's alone: no feed, search, profile, storefront or detail for others
    PUBLISHED = "published"


class Note(Base):
    __tablename__ = "notes"

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    # Lower-cased title, body, topics and tagged product names, for the text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    like_count: Mapped[int] = mapped_column(default=0)
    save_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    product_count: Mapped[int] = mapped_column(default=0)
    # A label the author declares (gifted, own_brand, affiliate); a note bound to a deal is always
    # "paid_partnership", with the brand read from the deal (see shop.deals.binding).
    disclosure_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL", use_alter=True), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default=NoteStatus.PUBLISHED.value)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    author: Mapped[User] = relationship(User, lazy="joined")
    images: Mapped[list[NoteImage]] = relationship(
        "NoteImage", order_by="NoteImage.position", lazy="selectin", cascade="all, delete-orphan"
    )
    topics: Mapped[list[NoteTopic]] = relationship(
        "NoteTopic", lazy="selectin", cascade="all, delete-orphan", order_by="NoteTopic.id"
    )
    deal: Mapped[Deal | None] = relationship(Deal, lazy="selectin", foreign_keys=[deal_id])

    __table_args__ = (
        CheckConstraint("status in ('draft','published')", name="note_status"),
        Index("ix_notes_author_status", "author_id", "status"),
    )


def published() -> ColumnElement[bool]:
    """The condition every list of notes shown to readers carries: drafts are their author's alone."""
    return Note.status == NoteStatus.PUBLISHED.value


class NoteTopic(Base):
    __tablename__ = "note_topics"

    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        UniqueConstraint("note_id", "topic", name="uq_note_topics"),
        Index("ix_note_topics_topic_note", "topic", "note_id"),
    )


class NoteImage(Base):
    __tablename__ = "note_images"

    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    thumb_key: Mapped[str] = mapped_column(String(120))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    tags: Mapped[list[ProductTag]] = relationship(
        "ProductTag", lazy="selectin", cascade="all, delete-orphan", order_by="ProductTag.id"
    )


class ProductTag(Base):
    """A product pinned on an image at a relative position: (0, 0) is top-left, (1, 1) bottom-right."""

    __tablename__ = "product_tags"

    note_image_id: Mapped[int] = mapped_column(ForeignKey("note_images.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)

    __table_args__ = (CheckConstraint("x >= 0 AND x <= 1 AND y >= 0 AND y <= 1", name="xy"),)


class NoteLike(Base):
    __tablename__ = "note_likes"

    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("note_id", "user_id", name="uq_note_likes"),)


class NoteSave(Base):
    __tablename__ = "note_saves"

    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("note_id", "user_id", name="uq_note_saves"),)


class Comment(Base):
    __tablename__ = "comments"

    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), default=None)
    body: Mapped[str] = mapped_column(Text)
    like_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(User, lazy="joined")

    __table_args__ = (Index("ix_comments_note", "note_id", "id"),)


class CommentLike(Base):
    __tablename__ = "comment_likes"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_comment_likes"),)
