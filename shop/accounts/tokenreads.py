"""API tokens' rows read in groups: a flash sale's rush of first requests is a few SELECTs, not one each.

When a sale opens, every scripted buyer's first request misses the principal cache at once. Read
one by one, each miss cost a pooled connection, a round trip and SQLAlchemy's work around it, and
the pool was the queue. Here the misses of the moment are grouped (shop/core/grouped.py): a single
`SELECT … WHERE token_digest IN (…)` of up to `MAX_BATCH` digests, on the engine's autocommit
reader (shop/core/db.py), answers all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shop.accounts.models import ApiToken
from shop.core.db import PerEngine, build_reader
from shop.core.grouped import Grouped

MAX_BATCH = 500
_ROWS = select(
    ApiToken.id, ApiToken.user_id, ApiToken.token_digest, ApiToken.expires_at, ApiToken.last_used_at
).where(ApiToken.token_digest.in_(bindparam("digests", expanding=True)))


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_id: int
    token_digest: str
    expires_at: datetime | None
    last_used_at: datetime | None


def _reads(engine: AsyncEngine) -> Grouped[str, TokenRow | None]:
    async def rows(digests: list[str]) -> list[TokenRow | None]:
        async with build_reader(engine).connect() as conn:
            result = await conn.execute(_ROWS, {"digests": sorted(set(digests))})
        found = {row.token_digest: TokenRow(*row) for row in result}
        return [found.get(digest) for digest in digests]

    return Grouped(rows, MAX_BATCH)


reads_for = PerEngine(_reads)
