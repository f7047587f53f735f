"""Offers and deals for tests: sent, paid and accepted through the API, as users would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shop.core import clock
from tests.helpers import Client, make_note, make_product


def due_in(days: float = 10) -> str:
    return (clock.now() + timedelta(days=days)).isoformat()


async def send_offer(
    merchant: Client,
    creator_id: int,
    product_ids: list[int] | None = None,
    *,
    fee: int | None = 5000,
    deliverable: str = "note",
    expect: int = 201,
    **extra: Any,
) -> dict[str, Any]:
    if product_ids is None:
        product_ids = [(await make_product(merchant, "Deal Serum"))["id"]]
    body: dict[str, Any] = {
        "creator_id": creator_id,
        "product_ids": product_ids,
        "deliverable": deliverable,
        "brief": "Show the serum in your morning routine.",
        "due_at": due_in(),
        "commission_bps": 1500,
        **extra,
    }
    if fee is not None:
        body["flat_fee"] = {"amount": fee, "currency": "USD"}
    response = await merchant.post("/api/v1/offers", json=body)
    assert response.status_code == expect, response.text
    return dict(response.json())


async def paid_offer(merchant: Client, creator_id: int, **kwargs: Any) -> dict[str, Any]:
    offer = await send_offer(merchant, creator_id, **kwargs)
    paid = await merchant.post(f"/api/v1/offers/{offer['id']}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "sent"
    return dict(paid.json())


async def active_deal(merchant: Client, creator: Client, **kwargs: Any) -> dict[str, Any]:
    offer = await paid_offer(merchant, creator.id, **kwargs)
    accepted = await creator.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    deal = await creator.get(f"/api/v1/deals/{accepted.json()['deal']['id']}")
    return dict(deal.json())


async def submitted_note(creator: Client, deal: dict[str, Any]) -> dict[str, Any]:
    """A published note tagging the deal's products (the deal gives the right), then submitted."""
    product_ids = [p["id"] for p in deal["products"]]
    note = await make_note(creator, product_ids, title="My partner serum")
    submitted = await creator.post(f"/api/v1/deals/{deal['id']}/submit", json={"note_id": note["id"]})
    assert submitted.status_code == 200, submitted.text
    return note
