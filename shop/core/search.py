"""Text search that finds Chinese as well as English, with the same results on SQLite and PostgreSQL.

Every term must occur (AND) as a case-insensitive substring of the searched text. Migration 0007
gives each database an index that can answer that:

- SQLite: an external-content FTS5 table `{table}_fts` with the trigram tokenizer. A trigram index
  only answers strings of 3+ characters (measured on SQLite 3.40 it returns nothing for 1-2
  characters, nor for `LIKE '%茶%'`), so shorter terms fall back to `LIKE` on the base table.
- PostgreSQL: pg_trgm GIN indexes, which serve `LIKE '%term%'` on the indexed expression itself,
  so the expression rendered here must be exactly the one the migration indexed.

Callers name what to search: `matches_all(Note.search_text, q)` for a denormalised, lower-cased
column, or `matches_all((User.display_name, User.bio), q)` for `lower(a || ' ' || b)`.
The dialect is chosen when the statement is compiled, so callers stay backend-agnostic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, column, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from shop.core.errors import InvalidInput
from shop.core.i18n import N_

MAX_QUERY_CHARS = 200
MAX_TERMS = 6
# The shortest term a trigram index can answer.
TRIGRAM = 3
# Terms are split on whitespace and on ASCII and CJK punctuation: a Chinese query separates its
# clauses with full-width marks (\uff0c \u3002 \u3001 ...), brackets and curly quotes, not spaces.
_TERM = re.compile(
    r"[^\s#,.;:!?()\"'\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff08\uff09"
    r"\u3010\u3011\u300c\u300d\u300e\u300f\u300a\u300b\u3008\u3009\u201c\u201d\u2018\u2019\u2026\u00b7]+"
)


def terms(query: str | None) -> list[str]:
    """The lower-cased terms of a query (at most MAX_TERMS); 422 for an over-long query."""
    if not query:
        return []
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(
            "This search is too long.", fields={"q": N_("Use at most %(n)s characters.", n=MAX_QUERY_CHARS)}
        )
    return _TERM.findall(query.lower())[:MAX_TERMS]


def normalise(*parts: str | None) -> str:
    """The stored search text: str.lower() folds Latin, Greek and Cyrillic and leaves CJK as it is."""
    return " ".join(part.lower() for part in parts if part)


class _Matches(ColumnElement[bool]):
    """All terms occur in `text`; compiled per dialect (see the compilers below)."""

    # The terms are the user's words: caching one compiled statement per query would only churn.
    inherit_cache = False
    type = Boolean()

    def __init__(self, row_id: Any, text: Any, fts_table: str, words: Sequence[str]) -> None:
        self.row_id = row_id
        self.text = text
        self.fts_table = fts_table
        self.words = tuple(words)


def matches_all(target: Any, query: str | None) -> ColumnElement[bool] | None:
    """A condition that every term of `query` occurs in `target`; None when there are no terms.

    `target` is one column stored lower-cased, or a tuple of columns of one table searched as
    `lower(a || ' ' || b …)`. Either way the table's FTS5 table is `{table}_fts` on SQLite.
    """
    words = terms(query)
    if not words:
        return None
    columns = list(target) if isinstance(target, tuple | list) else [target]
    owner = columns[0].expression.table
    if len(columns) == 1:
        text = columns[0]
    else:
        # A literal separator, not a bound one: the expression must equal the indexed one.
        joined = columns[0]
        for col in columns[1:]:
            joined = joined.op("||")(literal_column("' '")).op("||")(col)
        text = func.lower(joined)
    return _Matches(owner.c.id, text, f"{owner.name}_fts", words)


def _like(text: Any, word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return text.like(f"%{escaped}%", escape="\\")


def _fts_string(word: str) -> str:
    # An FTS5 string: inside double quotes every character is literal; a quote is doubled.
    return '"' + word.replace('"', '""') + '"'


@compiles(_Matches)
def _compile_like(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL (pg_trgm serves LIKE '%…%' for any length) and any other database.
    return str(compiler.process(and_(*(_like(element.text, w) for w in element.words)), **kw))


@compiles(_Matches, "sqlite")
def _compile_sqlite(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    long_words = [w for w in element.words if len(w) >= TRIGRAM]
    clauses = [_like(element.text, w) for w in element.words if len(w) < TRIGRAM]
    if long_words:
        fts = table(element.fts_table, column("rowid"))
        # Space-separated strings are ANDed by FTS5: one lookup answers every long term.
        phrase = " ".join(_fts_string(w) for w in long_words)
        found = select(fts.c.rowid).where(literal_column(element.fts_table).op("MATCH")(phrase))
        clauses.append(element.row_id.in_(found))
    return str(compiler.process(and_(*clauses), **kw))
