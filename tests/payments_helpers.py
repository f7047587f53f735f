"""Builders for checkout tests: a shop with stock, a signed-in shopper with a cart, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from tests.helpers import Client, add_address, make_product, register

WEBHOOK_SECRET = "whsec_zhongcao_local"


async def shop_with_stock(
    merchant: Client, stock: int = 5, price: int = 2599, name: str = "Dew Serum"
) -> dict:
    await register(merchant, f"{name.lower().replace(' ', '')}@shop.example", role="merchant")
    return await make_product(merchant, name, stock=stock, price=price)


async def shopper_with_cart(
    shopper: Client, variant_id: int, quantity: int = 1, email: str = "buyer@example.com"
) -> dict[str, Any]:
    me = await register(shopper, email)
    await add_address(shopper)  # checkout ships to the default address
    added = await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": quantity})
    assert added.status_code == 201, added.text
    return me


async def card(sandbox: str, number: str) -> str:
    """A PaymentMethod for a test card number, created on the sandbox as Stripe.js would."""
    async with httpx.AsyncClient(
        base_url=sandbox, headers={"Authorization": "Bearer sk_test_zhongcao_local"}
    ) as c:
        response = await c.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        response.raise_for_status()
        return str(response.json()["id"])


async def authenticate_3ds(sandbox: str, intent_id: str, client_secret: str, *, success: bool) -> None:
    async with httpx.AsyncClient(base_url=sandbox) as c:
        response = await c.post(
            f"/v1/payment_intents/{intent_id}/_authenticate",
            params={"success": "true" if success else "false"},
            data={"key": "pk_test_zhongcao_local", "client_secret": client_secret},
        )
        response.raise_for_status()


def signed_event(
    intent_id: str,
    event_type: str = "payment_intent.succeeded",
    *,
    event_id: str | None = None,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    data_object: dict[str, Any] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A webhook exactly as Stripe signs it: HMAC-SHA256 over "timestamp.body". The object is the
    PaymentIntent `intent_id` unless `data_object` is given (an account, a transfer…)."""
    ts = int(time.time()) if timestamp is None else timestamp
    body = json.dumps(
        {
            "id": event_id or f"evt_{intent_id}_{event_type}",
            "object": "event",
            "type": event_type,
            "created": ts,
            "data": {
                "object": data_object or {"id": intent_id, "object": "payment_intent", "status": "succeeded"}
            },
        }
    ).encode()
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={ts},v1={signature}", "Content-Type": "application/json"}
