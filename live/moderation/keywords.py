"""A host's keyword list. Both sides are NFKC-normalised and case-folded before a substring match,
so full-width, half-width and upper-case forms of a word are the same word."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.moderation.models import LiveKeywords
from shop.core.db import insert_ignoring_conflict


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def matches(text: str, words: list[str]) -> bool:
    folded = normalise(text)
    return any(normalise(word) in folded for word in words if word)


async def words_of(db: AsyncSession, host_id: int) -> list[str]:
    words = await db.scalar(select(LiveKeywords.words).where(LiveKeywords.host_id == host_id))
    return list(words or [])


async def set_words(db: AsyncSession, host_id: int, words: list[str]) -> list[str]:
    """Replace the list; blanks dropped and duplicates (after normalising) kept once, first wins."""
    kept: dict[str, str] = {}
    for word in words:
        word = word.strip()
        if word:
            kept.setdefault(normalise(word), word)
    words = list(kept.values())
    # Insert-or-update without a read first: two saves at once never collide on the unique host.
    if not await insert_ignoring_conflict(db, LiveKeywords, {"host_id": host_id, "words": words}):
        await db.execute(update(LiveKeywords).where(LiveKeywords.host_id == host_id).values(words=words))
    return words
