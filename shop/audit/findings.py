"""What one audit check found, and a consistent view of the database to check against."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

EXAMPLES = 5


@dataclass(frozen=True)
class Finding:
    """`violations` counts offending objects; `detail` names up to five of them ("orders 4, 9")."""

    check: str
    violations: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.violations == 0

    @property
    def code(self) -> str:
        return self.check.split(" ", 1)[0]

    def line(self) -> str:
        """The command's line: `I1 stock ledger balances: 0 violations (variants 3, 7)`."""
        noun = "violation" if self.violations == 1 else "violations"
        return f"{self.check}: {self.violations} {noun}" + (f" ({self.detail})" if self.detail else "")


def finding(check: str, **offenders: Iterable[int]) -> Finding:
    """`finding("I3 …", orders=[4, 9])`: each keyword is a kind of object, its value the offending ids."""
    counted = {kind: sorted(set(ids)) for kind, ids in offenders.items()}
    parts = [
        f"{kind} {', '.join(str(i) for i in ids[:EXAMPLES])}" + (", …" if len(ids) > EXAMPLES else "")
        for kind, ids in counted.items()
        if ids
    ]
    return Finding(check, sum(len(ids) for ids in counted.values()), "; ".join(parts))


@asynccontextmanager
async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A read-only session that sees one moment: the checks run several queries, and a refund
    committed between two of them must not look like a broken book. Rolled back at the end."""
    async with sessions() as db:
        if db.get_bind().dialect.name == "postgresql":
            await db.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:
            # pysqlite opens no transaction for reads; without one each SELECT sees the latest commit.
            await db.execute(text("BEGIN"))
        try:
            yield db
        finally:
            await db.rollback()
