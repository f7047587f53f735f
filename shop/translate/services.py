"""Translating stored texts for a reader: read what they may see, skip what is already in their
language, answer from the cache, send the rest to the provider, remember what came back.

The rules: at most MAX_TEXT characters per text (a longer one fails alone, `text_too_long`); the
script check (`languages`) decides before any call; the cache key is (sha256 of the text, source,
target, provider); a provider's answer is plain text (control characters dropped; pages and JS
render it as text); a provider error or timeout keeps the original and says why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.core.db import insert_ignoring_conflict
from shop.core.errors import NotFound, RateLimited, ServiceUnavailable
from shop.core.i18n import N_
from shop.core.ratelimit import AttemptCounter
from shop.translate import languages, sources
from shop.translate.models import Translation
from shop.translate.providers import Job, Provider, ProviderError
from shop.translate.schemas import ChatRef, PieceOut, Ref, TranslateOut

MAX_TEXT = 2000
# A translation may grow (English is longer than Chinese), but not without bound.
MAX_TRANSLATED = 4 * MAX_TEXT
RATE_WINDOW_S = 60
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TranslationUnavailable(ServiceUnavailable):
    code = "translation_unavailable"
    default_message = N_("Translation is not available on this site.")


@dataclass
class Piece:
    ref: Ref
    part: str
    original: str
    source: str | None = None
    status: str = "unchanged"
    text: str = ""
    reason: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.original.encode()).hexdigest()


def _key(ref: Ref) -> Hashable:
    return (ref.stream_id, ref.seq) if isinstance(ref, ChatRef) else ref.id


async def throttle(attempts: AttemptCounter, user: User, per_minute: int) -> None:
    if await attempts.hit(f"translate:{user.id}", RATE_WINDOW_S) > per_minute:
        raise RateLimited("Too many translations: try again in a minute.", retry_after=RATE_WINDOW_S)


async def read(db: AsyncSession, viewer: User, refs: Sequence[Ref]) -> list[Piece]:
    """The pieces of every item, in order; one the viewer may not see makes the whole call a 404."""
    found: dict[str, dict[Hashable, sources.Parts]] = {}
    for kind in {ref.kind for ref in refs}:
        reader = sources.reader(kind)
        keys = list({_key(ref) for ref in refs if ref.kind == kind})
        found[kind] = await reader(db, viewer, keys) if reader else {}
    pieces: list[Piece] = []
    for index, ref in enumerate(refs):
        parts = found[ref.kind].get(_key(ref))
        if parts is None:
            raise NotFound("Nothing to translate there.", fields={f"items.{index}": "Not found."})
        pieces.extend(Piece(ref, part, text) for part, text in parts)
    return pieces


def plan(pieces: Sequence[Piece], target: str) -> list[Piece]:
    """Settle what needs no provider; answer the pieces still to translate."""
    todo: list[Piece] = []
    for piece in pieces:
        piece.text = piece.original
        found = languages.detect(piece.original)
        if len(piece.original) > MAX_TEXT:
            piece.status, piece.reason = "failed", "text_too_long"
        elif found is None or found == target:
            piece.reason = "no_words" if found is None else "same_language"
            piece.source = found
        else:
            piece.source = languages.source_for(piece.original, target)
            todo.append(piece)
    return todo


async def cached(db: AsyncSession, todo: Sequence[Piece], target: str, provider: str) -> list[Piece]:
    """Fill the pieces the cache knows; answer those still to send."""
    if not todo:
        return []
    stmt = select(Translation.text_sha256, Translation.source, Translation.translated).where(
        Translation.text_sha256.in_({piece.digest for piece in todo}),
        Translation.target == target,
        Translation.provider == provider,
    )
    known = {(row.text_sha256, row.source): row.translated for row in await db.execute(stmt)}
    pending: list[Piece] = []
    for piece in todo:
        if (hit := known.get((piece.digest, piece.source))) is not None:
            piece.status, piece.text = "translated", hit
        else:
            pending.append(piece)
    return pending


def _plain(answer: str | ProviderError) -> str | ProviderError:
    if isinstance(answer, ProviderError):
        return answer
    text = _CONTROL.sub("", answer).strip()
    if not text or len(text) > MAX_TRANSLATED:
        return ProviderError("bad_response")
    return text


async def ask(provider: Provider, pending: Sequence[Piece], target: str) -> list[Piece]:
    """Send each distinct text once; answer the pieces that came back translated."""
    jobs: dict[tuple[str, str], Job] = {}
    for piece in pending:
        jobs.setdefault((piece.digest, piece.source or ""), Job(piece.original, piece.source or "", target))
    if not jobs:
        return []
    answers = dict(zip(jobs, await provider.translate(list(jobs.values())), strict=True))
    done: list[Piece] = []
    for piece in pending:
        answer = _plain(answers[(piece.digest, piece.source or "")])
        if isinstance(answer, ProviderError):
            piece.status, piece.reason = "failed", answer.reason
        else:
            piece.status, piece.text = "translated", answer
            done.append(piece)
    return done


async def remember(db: AsyncSession, done: Sequence[Piece], target: str, provider: str) -> None:
    """Store new translations; a concurrent request storing the same one is not an error."""
    stored: set[tuple[str, str]] = set()
    for piece in done:
        key = (piece.digest, piece.source or "")
        if key in stored:
            continue
        stored.add(key)
        values = {"text_sha256": key[0], "source": key[1], "target": target, "provider": provider}
        await insert_ignoring_conflict(db, Translation, {**values, "translated": piece.text})


def answer(pieces: Sequence[Piece], target: str, provider: str) -> TranslateOut:
    items = []
    for piece in pieces:
        ref = piece.ref
        where = {"stream_id": ref.stream_id, "seq": ref.seq} if isinstance(ref, ChatRef) else {"id": ref.id}
        items.append(
            PieceOut(
                kind=ref.kind,
                **where,
                part=piece.part,  # type: ignore[arg-type]
                status=piece.status,  # type: ignore[arg-type]
                text=piece.text,
                original=piece.original,
                source=piece.source,
                reason=piece.reason,
            )
        )
    return TranslateOut(target=target, provider=provider, items=items)
