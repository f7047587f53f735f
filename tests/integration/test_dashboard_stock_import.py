"""The CSV import of stock levels (issue 12): every row checked with its line number, then all rows
applied in one transaction or none; a preview first, applied only if stock did not move since."""

from __future__ import annotations

import os
import re
from typing import Any

from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.models import StockMovement
from tests.helpers import Client, make_product
from tests.integration.catalog_helpers import balanced, hold, ledger, level

URL = "/dashboard/products/import"


async def send(client: Client, data: bytes, action: str = "check", **fields: str) -> Response:
    return await client.post(
        URL, files={"file": ("levels.csv", data, "text/csv")}, data={"action": action, **fields}
    )


async def three(merchant: Client) -> dict[str, Any]:
    product = await make_product(
        merchant,
        "Dew Serum",
        variants=[
            {"sku": sku, "name": sku[-2:], "price": {"amount": 100, "currency": "USD"}, "stock_on_hand": n}
            for sku, n in (("DEW-10", 5), ("DEW-20", 2), ("DEW-30", 9))
        ],
    )
    return {v["sku"]: v["id"] for v in product["variants"]}


async def import_movements(db: AsyncSession) -> int:
    return int(
        await db.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "import")) or 0
    )


async def test_check_then_apply_changes_every_row(merchant: Client, db: AsyncSession) -> None:
    ids = await three(merchant)
    # A byte-order mark, CRLF line ends, a blank line and spaces around a number: all fine.
    data = b"\xef\xbb\xbfsku,stock_on_hand\r\nDEW-10,12\r\n\r\nDEW-20, 0 \r\nDEW-30,9\r\n"
    checked = await send(merchant, data)
    assert checked.status_code == 200, checked.text
    assert "data-import-preview" in checked.text
    assert "data-import-errors" not in checked.text
    assert (await level(db, ids["DEW-10"]), await import_movements(db)) == (5, 0)  # a check writes nothing
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', checked.text)
    content = re.search(r'<textarea name="content"[^>]*>\n(.*?)</textarea>', checked.text, re.S)
    assert digest
    assert content
    # The preview's Apply button sends the same text back with the digest it showed.
    applied = await merchant.post(
        URL,
        data={"action": "apply", "digest": digest.group(1), "content": content.group(1), "filename": "x.csv"},
    )
    assert applied.status_code in (302, 303), applied.text
    assert applied.headers["location"] == f"{URL}?applied=2"
    assert [await level(db, ids[s]) for s in ("DEW-10", "DEW-20", "DEW-30")] == [12, 0, 9]
    assert (await ledger(db, ids["DEW-10"]))[-1] == (7, 12, "import", "CSV import: x.csv")
    assert (await ledger(db, ids["DEW-20"]))[-1] == (-2, 0, "import", "CSV import: x.csv")
    assert await import_movements(db) == 2  # the unchanged row moved nothing
    assert all([await balanced(db, v) for v in ids.values()])
    done = await merchant.get(f"{URL}?applied=2")
    assert 'data-import-applied="2"' in done.text


async def test_one_bad_row_of_each_kind_is_reported_by_line_and_nothing_applies(
    merchant: Client, other_merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    ids = await three(merchant)
    await make_product(other_merchant, "Theirs", sku="THEIRS-9", stock=3)
    await hold(shopper, ids["DEW-30"], 4)
    lines = [
        "sku,stock_on_hand",  # 1
        "DEW-10,40",  # 2: fine on its own
        "NOPE-1,3",  # 3: no such SKU
        "THEIRS-9,1",  # 4: another shop's SKU
        "DEW-20,-4",  # 5: negative
        "DEW-20,2.5",  # 6: not an integer
        "DEW-10,7",  # 7: DEW-10 again
        "=cmd|' /C calc'!A0,3",  # 8: a formula
        "DEW-30,3",  # 9: 4 units are held
        "DEW-20,1,extra",  # 10: three cells
        "DEW-20,@SUM(1)",  # 11: a formula in the number
    ]
    for action in ("check", "apply"):
        answer = await send(merchant, "\n".join(lines).encode(), action)
        assert answer.status_code == 422, answer.text
        reported = dict(
            re.findall(r'<li data-line="(\d+)"><strong>Line \d+:</strong> (.*?)</li>', answer.text)
        )
        assert sorted(map(int, reported)) == [3, 4, 5, 6, 7, 8, 9, 10, 11], reported
        assert "no variant of your shop" in reported["3"]
        assert "no variant of your shop" in reported["4"]
        assert "negative" in reported["5"]
        assert "whole number" in reported["6"]
        assert "already on line 2" in reported["7"]
        assert "formula" in reported["8"]
        assert "formula" in reported["11"]
        assert "4 units are held" in reported["9"]
    assert await level(db, ids["DEW-10"]) == 5  # line 2 was valid, but nothing applies
    assert await import_movements(db) == 0


async def test_files_that_are_not_a_small_csv_are_refused(merchant: Client, db: AsyncSession) -> None:
    await three(merchant)
    too_many = "sku,stock_on_hand\n" + "".join(f"SKU-{n},1\n" for n in range(5001))
    cases = [
        (b"x" * 1_000_001, 413),  # over 1 MB
        (os.urandom(10 * 1024 * 1024), 413),  # 10 MB of junk
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000), 422),  # binary
        (too_many.encode(), 422),
        (b"DEW-10,4\n", 422),  # no header
        (b"sku,stock_on_hand\n", 422),  # nothing to import
        (b"", 422),
    ]
    for data, status in cases:
        for action in ("check", "apply"):
            answer = await send(merchant, data, action)
            assert answer.status_code == status, (data[:20], action, answer.status_code)
            assert "data-import-error" in answer.text
    assert await import_movements(db) == 0


async def test_a_preview_goes_stale_when_stock_moves(merchant: Client, db: AsyncSession) -> None:
    ids = await three(merchant)
    data = b"sku,stock_on_hand\nDEW-10,8\n"
    checked = await send(merchant, data)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', checked.text)
    assert digest
    product_id = (await merchant.get("/api/v1/products?q=dew")).json()["items"][0]["id"]
    restock = {"variant_id": ids["DEW-10"], "delta": 1, "reason": "restock"}
    assert (
        await merchant.post(f"/api/v1/products/{product_id}/stock-adjustments", json=restock)
    ).status_code == 201
    stale = await send(merchant, data, "apply", digest=digest.group(1))
    assert stale.status_code == 409
    assert "data-import-stale" in stale.text
    assert await level(db, ids["DEW-10"]) == 6
    assert await import_movements(db) == 0
    fresh = re.search(r'name="digest" value="([0-9a-f]+)"', stale.text)
    assert fresh
    assert fresh.group(1) != digest.group(1)
    applied = await send(merchant, data, "apply", digest=fresh.group(1))
    assert applied.status_code in (302, 303)
    assert await level(db, ids["DEW-10"]) == 8


async def test_only_merchants_import(shopper: Client, anonymous: Client) -> None:
    for browser in (shopper, anonymous):
        assert (await send(browser, b"sku,stock_on_hand\nX,1\n")).status_code == 404
