"""The translation cache: one row per (text, source, target, provider), so a text is sent once."""

from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.db import Base


class Translation(Base):
    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("text_sha256", "source", "target", "provider", name="uq_translations_key"),
    )

    # The hash, not the text: the cache never keeps a second copy of what people wrote.
    text_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(40))
    translated: Mapped[str] = mapped_column(Text)
