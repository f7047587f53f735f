"""Orders bought through a creator's note, paid, shipped and refunded through the API."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import Client, add_address, make_note, make_product

PARCEL = {"carrier": "SF Express", "tracking_number": "SF123456789"}


async def note_sale(
    merchant: Client,
    creator: Client,
    shopper: Client,
    *,
    price: int = 10_000,
    bps: int = 1500,
    quantity: int = 1,
    name: str = "Earning Serum",
) -> dict[str, Any]:
    """A product open at `bps`, a creator's note tagging it, a shopper who buys through the note and
    pays. Returns the paid order."""
    sku = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:40] + f"-{price}"
    product = await make_product(merchant, name, price=price, stock=50, open_bps=bps, sku=sku)
    note = await make_note(creator, [product["id"]], title="My serum")
    await add_address(shopper)
    line = {
        "variant_id": product["variants"][0]["id"],
        "quantity": quantity,
        "source": {"type": "note", "id": note["id"]},
    }
    added = await shopper.post("/api/v1/cart/lines", json=line)
    assert added.status_code == 201, added.text
    checkout = await shopper.post("/api/v1/checkout", json={})
    assert checkout.status_code in (200, 201), checkout.text
    order_id = checkout.json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return dict(paid.json())


async def ship(merchant: Client, order_id: int) -> None:
    shipped = await merchant.post(f"/api/v1/orders/{order_id}/fulfilments", json=PARCEL)
    assert shipped.status_code == 201, shipped.text


async def refund(merchant: Client, order_id: int, amount: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"reason": "test"} if amount is None else {"amount": amount, "reason": "test"}
    refunded = await merchant.post(f"/api/v1/orders/{order_id}/refunds", json=body)
    assert refunded.status_code in (200, 201, 202), refunded.text
    return dict(refunded.json())


async def onboard(client: Client) -> str:
    """Open the payee's Express account and complete the local server's onboarding page."""
    import httpx

    opened = await client.post("/api/v1/payouts/account", json={"country": "US"})
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "onboarding"
    async with httpx.AsyncClient() as browser:
        page = await browser.get(opened.json()["onboarding_url"])
        assert "Complete onboarding" in page.text
        done = await browser.post(opened.json()["onboarding_url"], follow_redirects=False)
        assert done.status_code == 303
    shown = await client.get("/api/v1/payouts/account")
    assert shown.json()["payouts_enabled"] is True, shown.text
    return str(shown.json()["account_id"])


async def two_shop_sale(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client
) -> dict[str, Any]:
    """A paid order of two shops' lines: an 80.00 serum through the creator's note (open at 10%) and
    a 30.00 tote straight from the other shop. Once settled: creator 800, serum shop 8000 - 800 -
    400 = 6800, tote shop 3000 - 150 = 2850."""
    serum = await make_product(merchant, "Payout Serum", price=8_000, stock=20, open_bps=1_000)
    tote = await make_product(other_merchant, "Payout Tote", price=3_000, stock=20)
    note = await make_note(creator, [serum["id"]], title="Serum and tote")
    await add_address(shopper)
    for product, source in ((serum, {"type": "note", "id": note["id"]}), (tote, None)):
        line: dict[str, Any] = {"variant_id": product["variants"][0]["id"], "quantity": 1}
        if source:
            line["source"] = source
        added = await shopper.post("/api/v1/cart/lines", json=line)
        assert added.status_code == 201, added.text
    order_id = (await shopper.post("/api/v1/checkout", json={})).json()["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "paid", paid.text
    return dict(paid.json())
