"""A CSV import of stock levels (`sku,stock_on_hand`): every row checked, then all applied or none.

    bytes ──size (413) / text (422)──▶ rows ──cells: formula, SKU, integer, duplicate──▶ the shop's
    variants ──lock in id order, read holds──▶ plan (errors by line) ──no errors──▶ move_stock each

Checking and applying share `plan()`. Applying locks every variant of the file first (ascending id,
`lock_variants`) and checks again under the locks, so a checkout that started meanwhile is counted;
then each changed row is one `import` movement. Any error means nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.models import Product, StockReason, Variant
from shop.core.errors import InvalidInput, PayloadTooLarge
from shop.core.i18n import N_
from shop.inventory.locks import lock_variants
from shop.inventory.schemas import MAX_UNITS
from shop.inventory.services import held_quantities, move_stock

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
HEADER = ["sku", "stock_on_hand"]
_SKU = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FORMULA = ("=", "+", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Change:
    line: int
    variant_id: int
    sku: str
    product_name: str
    variant_name: str
    current: int
    held: int
    level: int

    @property
    def delta(self) -> int:
        return self.level - self.current


@dataclass(frozen=True, slots=True)
class Plan:
    changes: list[Change]
    errors: list[RowError]

    @property
    def digest(self) -> str:
        """What was checked; applying a plan whose digest moved asks the merchant to look again."""
        text = ";".join(f"{c.variant_id}:{c.current}:{c.level}" for c in self.changes)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


class ImportRejected(InvalidInput):
    """The file as a whole cannot be read (not text, too many rows, no header)."""


def _show(cell: str) -> str:
    return cell if len(cell) <= 40 else cell[:40] + "…"


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank row after the header."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(
            N_("The file is over %(n)s MB.", n=MAX_BYTES // 1_000_000), fields={"file": "Too large."}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.strip() or "\x00" in text:
        raise ImportRejected("This is not a CSV text file.", fields={"file": "Not a CSV text file."})
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS + 1:
                message = N_("At most %(n)s rows in one file.", n=MAX_ROWS)
                raise ImportRejected(message, fields={"file": message})
    except csv.Error as error:
        message = N_(
            "Line %(line)s: the file is not valid CSV (%(error)s).", line=reader.line_num, error=error
        )
        raise ImportRejected(message, fields={"file": message}) from None
    if not rows or [c.strip().lower() for c in rows[0][1]] != HEADER:
        message = "The first line must be the header: sku,stock_on_hand"
        raise ImportRejected(message, fields={"file": message})
    if len(rows) == 1:
        message = N_("The file has no rows after the header.")
        raise ImportRejected(message, fields={"file": message})
    return rows[1:]


def _cells(line: int, cells: list[str], seen: dict[str, int]) -> tuple[str, int] | RowError:
    if len(cells) != 2:
        return RowError(line, N_("Expected 2 cells (sku,stock_on_hand), found %(n)s.", n=len(cells)))
    raw_sku, raw_level = cells
    sku, level_text = raw_sku.strip(), raw_level.strip()
    formula = next((c for c in (raw_sku, raw_level, sku, level_text) if c.startswith(_FORMULA)), None)
    if formula is None and sku.startswith("-") and not _SKU.fullmatch(sku):
        formula = sku  # "-2+cmd": a formula to a spreadsheet; "-12" in the level is just negative
    if formula is not None:
        return RowError(
            line,
            N_("“%(cell)s” looks like a spreadsheet formula: use plain text.", cell=_show(formula.strip())),
        )
    if not _SKU.fullmatch(sku):
        return RowError(line, N_("“%(cell)s” is not a SKU (letters, digits, . _ - only).", cell=_show(sku)))
    if re.fullmatch(r"-\d+", level_text):
        return RowError(line, N_("%(sku)s: stock cannot be negative (%(level)s).", sku=sku, level=level_text))
    if not re.fullmatch(r"\d{1,7}", level_text):
        return RowError(
            line, N_("%(sku)s: “%(cell)s” is not a whole number of units.", sku=sku, cell=_show(level_text))
        )
    if int(level_text) > MAX_UNITS:
        return RowError(line, N_("%(sku)s: at most %(n)s units.", sku=sku, n=f"{MAX_UNITS:,}"))
    if sku in seen:
        return RowError(line, N_("%(sku)s is already on line %(line)s.", sku=sku, line=seen[sku]))
    seen[sku] = line
    return sku, int(level_text)


async def plan(db: AsyncSession, shop: Merchant, data: bytes, *, lock: bool = False) -> Plan:
    """Check every row; with `lock`, under row locks (ascending id) on the file's variants."""
    errors: list[RowError] = []
    wanted: list[tuple[int, str, int]] = []
    seen: dict[str, int] = {}
    for line, cells in read_rows(data):
        parsed = _cells(line, cells, seen)
        if isinstance(parsed, RowError):
            errors.append(parsed)
        else:
            wanted.append((line, *parsed))
    variants = await _shop_variants(db, shop, [sku for _, sku, _ in wanted])
    if lock and variants:
        fresh = await lock_variants(db, [v.id for v in variants.values()])
        variants = {sku: fresh[v.id] for sku, v in variants.items()}
    held = await held_quantities(db, [v.id for v in variants.values()]) if variants else {}
    changes: list[Change] = []
    for line, sku, level in wanted:
        variant = variants.get(sku)
        if variant is None:  # unknown, or another shop's: the same words either way
            errors.append(RowError(line, N_("%(sku)s: no variant of your shop has this SKU.", sku=sku)))
            continue
        hold = held.get(variant.id, 0)
        if level < hold:
            held_back = N_(
                "%(sku)s: %(n)s units are held by shoppers paying right now; "
                "the level cannot go below %(n)s.",
                sku=sku,
                n=hold,
            )
            errors.append(RowError(line, held_back))
            continue
        changes.append(Change(line, variant.id, sku, variant.product.name, variant.name,
                              variant.stock_on_hand, hold, level))  # fmt: skip
    return Plan(changes, sorted(errors, key=lambda e: e.line))


async def _shop_variants(db: AsyncSession, shop: Merchant, skus: Sequence[str]) -> dict[str, Variant]:
    found: dict[str, Variant] = {}
    for start in range(0, len(skus), 500):  # bounded IN lists on either backend
        stmt = (
            select(Variant)
            .join(Product, Product.id == Variant.product_id)
            .where(Product.merchant_id == shop.id, Variant.sku.in_(skus[start : start + 500]))
        )
        found.update({v.sku: v for v in (await db.scalars(stmt)).unique()})
    return found


async def apply(
    db: AsyncSession, shop: Merchant, actor_id: int, data: bytes, note: str | None, *, expected: str = ""
) -> tuple[Plan, bool]:
    """Lock, check again, and write one `import` movement per changed row, in ascending id.

    Writes nothing (and answers False) when a row has an error, or when `expected` (the digest the
    merchant previewed) no longer matches: stock moved since, so they should look again.
    """
    checked = await plan(db, shop, data, lock=True)
    if checked.errors or (expected and expected != checked.digest):
        return checked, False
    for change in sorted(checked.changes, key=lambda c: c.variant_id):
        if change.delta:
            await move_stock(db, change.variant_id, change.delta, StockReason.IMPORT, actor_id, note=note)
    return checked, True
