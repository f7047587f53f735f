"""Commission rates over time: a raise is in force at once, a cut only after its notice, and the
rate an order would copy (`rate_in_force`) follows the history at any moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.partnerships.models import CollaborationRate
from shop.partnerships.services import rate_in_force
from shop.settings import Settings
from tests.helpers import Client, make_product

NOTICE = timedelta(days=2)  # COMMISSION_NOTICE_DAYS' default, which the test app runs with


async def _open(merchant: Client, bps: int, name: str = "Dew Serum", price: int = 3000) -> dict[str, Any]:
    product = await make_product(merchant, name, price=price, sku=name.upper().replace(" ", "-"))
    opened = await merchant.post(
        "/api/v1/collaborations", json={"product_id": product["id"], "commission_bps": bps}
    )
    assert opened.status_code == 201, opened.text
    return {**opened.json(), "product": product}


async def _rate(merchant: Client, collaboration_id: int, bps: int) -> dict[str, Any]:
    changed = await merchant.patch(f"/api/v1/collaborations/{collaboration_id}", json={"commission_bps": bps})
    assert changed.status_code == 200, changed.text
    return dict(changed.json())


async def _card(client: Client, collaboration_id: int, query: str = "") -> dict[str, Any] | None:
    listed = await client.get(f"/api/v1/collaborations?limit=50{query}")
    assert listed.status_code == 200, listed.text
    return next((c for c in listed.json()["items"] if c["id"] == collaboration_id), None)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_a_raise_is_in_force_at_once(merchant: Client, creator: Client) -> None:
    opened = await _open(merchant, 1000)
    assert (opened["commission_bps"], opened["pending"]) == (1000, None)
    raised = await _rate(merchant, opened["id"], 1500)
    assert (raised["commission_bps"], raised["pending"], raised["status"]) == (1500, None, "open")
    card = await _card(creator, opened["id"])
    assert card is not None
    assert card["commission_bps"] == 1500
    assert card["pending"] is None
    assert card["earn_per_sale"] == {"amount": 450, "currency": "USD"}  # 15% of $30.00


async def test_a_cut_is_announced_then_in_force_after_the_notice(
    merchant: Client, creator: Client, clock: ModuleType
) -> None:
    opened = await _open(merchant, 2000)
    before = clock.now()
    cut = await _rate(merchant, opened["id"], 800)
    # Orders placed now still earn 20%: the cut is only announced.
    assert cut["commission_bps"] == 2000
    assert cut["pending"]["commission_bps"] == 800
    effective_at = _at(cut["pending"]["effective_at"])
    assert before + NOTICE <= effective_at <= clock.now() + NOTICE
    card = await _card(creator, opened["id"], "&min_bps=1500")
    assert card is not None
    assert card["commission_bps"] == 2000
    assert card["pending"]["commission_bps"] == 800

    clock.set(effective_at - timedelta(minutes=1))
    assert (await _card(creator, opened["id"]))["commission_bps"] == 2000  # type: ignore[index]
    clock.set(effective_at + timedelta(seconds=1))
    card = await _card(creator, opened["id"])
    assert card is not None
    assert card["commission_bps"] == 800
    assert card["pending"] is None
    assert card["earn_per_sale"] == {"amount": 240, "currency": "USD"}
    assert await _card(creator, opened["id"], "&min_bps=1500") is None  # filters on the rate in force


async def test_rate_in_force_at_any_moment(
    merchant: Client, creator: Client, db: AsyncSession, clock: ModuleType
) -> None:
    """Opened at 20%, raised to 25%, a cut to 10% announced, then replaced inside its notice by 18%."""
    start = clock.now()
    opened = await _open(merchant, 2000)
    cid = opened["id"]
    clock.set(start + timedelta(hours=1))
    await _rate(merchant, cid, 2500)
    clock.set(start + timedelta(hours=2))
    first_cut = await _rate(merchant, cid, 1000)
    assert first_cut["pending"]["commission_bps"] == 1000
    clock.set(start + timedelta(days=1))
    second_cut = await _rate(merchant, cid, 1800)  # 18% < 25% in force: a cut too, with its own notice
    assert (second_cut["commission_bps"], second_cut["pending"]["commission_bps"]) == (2500, 1800)

    expected = [
        (start - timedelta(minutes=5), 0),  # before it opened
        (start + timedelta(minutes=30), 2000),
        (start + timedelta(hours=1, minutes=1), 2500),
        (start + timedelta(days=2, hours=3), 2500),  # the 10% cut was replaced before it applied
        (start + timedelta(days=3, minutes=1), 1800),
        (start + timedelta(days=30), 1800),
    ]
    for moment, bps in expected:
        assert await rate_in_force(db, cid, moment) == bps, moment
    history = (
        await db.scalars(
            select(CollaborationRate.commission_bps)
            .where(CollaborationRate.collaboration_id == cid)
            .order_by(CollaborationRate.id)
        )
    ).all()
    assert list(history) == [2000, 2500, 1000, 1800]  # append-only: every announcement kept

    # A raise during a pending cut withdraws it at once.
    clock.set(start + timedelta(days=1, hours=1))
    raised = await _rate(merchant, cid, 3000)
    assert (raised["commission_bps"], raised["pending"]) == (3000, None)
    assert await rate_in_force(db, cid, start + timedelta(days=4)) == 3000


async def test_setting_the_rate_in_force_again_withdraws_a_cut(merchant: Client, clock: ModuleType) -> None:
    opened = await _open(merchant, 1200)
    assert (await _rate(merchant, opened["id"], 600))["pending"]["commission_bps"] == 600
    kept = await _rate(merchant, opened["id"], 1200)
    assert (kept["commission_bps"], kept["pending"]) == (1200, None)
    clock.advance(NOTICE + timedelta(hours=1))
    card = await _card(merchant, opened["id"])
    assert card is not None
    assert card["commission_bps"] == 1200


async def test_who_may_change_a_rate_and_to_what(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client
) -> None:
    opened = await _open(merchant, 1000)
    path = f"/api/v1/collaborations/{opened['id']}"
    assert (await other_merchant.patch(path, json={"commission_bps": 500})).status_code == 404
    assert (await creator.patch(path, json={"commission_bps": 500})).status_code == 403
    assert (await shopper.patch(path, json={"commission_bps": 500})).status_code == 403
    assert (
        await merchant.patch("/api/v1/collaborations/999999", json={"commission_bps": 500})
    ).status_code == 404
    for body in (
        {"commission_bps": 99},
        {"commission_bps": 8001},
        {"commission_bps": 500, "status": "x"},
        {},
    ):
        bad = await merchant.patch(path, json=body)
        assert bad.status_code == 422, body
    assert (await _card(creator, opened["id"]))["commission_bps"] == 1000  # type: ignore[index]

    await merchant.delete(path)
    closed = await merchant.patch(path, json={"commission_bps": 2000})
    assert closed.status_code == 409


async def test_a_cut_tells_the_creators_who_show_the_product(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    opened = await _open(merchant, 2000, name="Glow Drops")
    added = await creator.post("/api/v1/me/showcase", json={"product_id": opened["product_id"]})
    assert added.status_code == 201, added.text

    await _rate(merchant, opened["id"], 2500)  # a raise tells nobody
    assert (await creator.get("/api/v1/notifications")).json()["items"] == []

    await _rate(merchant, opened["id"], 1200)
    items = (await creator.get("/api/v1/notifications")).json()["items"]
    assert [i["kind"] for i in items] == ["rate_change"]
    assert "Glow Drops" in items[0]["subject"]
    assert "25% → 12%" in items[0]["subject"]
    assert items[0]["url"].startswith("/studio/marketplace")
    assert (await shopper.get("/api/v1/notifications")).json()["items"] == []
    page = await creator.get("/notifications")
    assert "A commission in your showcase is dropping" in page.text
    assert "Glow Drops" in page.text


def test_the_notice_period_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMISSION_NOTICE_DAYS", "5")
    assert Settings(_env_file=None).commission_notice_days == 5  # type: ignore[call-arg]
    monkeypatch.delenv("COMMISSION_NOTICE_DAYS")
    assert Settings(_env_file=None).commission_notice_days == 2  # type: ignore[call-arg]
