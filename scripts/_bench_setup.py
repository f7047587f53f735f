"""Setup for the benchmarks: the live room through the public API, as a merchant would build it,
and buyers with Bearer tokens inserted directly (hashing 1,000 passwords is not the test).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from typing import Any

import _bench  # noqa: F401  (puts the checkout on sys.path, for the `shop` imports below)
import httpx


def host_client(base: str) -> httpx.Client:
    """A merchant who hosts: registers (cookie + CSRF, like the pages), then uses a Bearer token."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        browser.get("/api/v1/health")
        csrf = {"X-CSRFToken": browser.cookies.get("csrftoken") or ""}
        body = {"email": f"host-{uuid.uuid4().hex[:8]}@bench.example", "password": "bench-password-1"}
        body |= {"display_name": "Bench host", "role": "merchant", "shop_name": "Bench shop"}
        _ok(browser.post("/api/v1/auth/register", json=body, headers=csrf), 201)
        token = _ok(browser.post("/api/v1/auth/tokens", json={"name": "bench"}, headers=csrf), 201)["token"]
    return httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})


def _ok(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json()


def live_room(host: httpx.Client, stock: int) -> dict[str, int]:
    variant: dict[str, Any] = {"sku": f"BENCH-{uuid.uuid4().hex[:6]}", "name": "30 ml"}
    variant |= {"stock_on_hand": stock, "price": {"amount": 3000, "currency": "USD"}}
    product = _ok(host.post("/api/v1/products", json={"name": "Glow Serum", "variants": [variant]}), 201)
    stream_id = _ok(host.post("/api/v1/streams", json={"title": "Bench deals"}), 201)["id"]
    _ok(host.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]}), 200)
    _ok(host.post(f"/api/v1/streams/{stream_id}/start"), 200)
    return {"stream_id": stream_id, "product_id": product["id"], "variant_id": product["variants"][0]["id"]}


def launch_sale(host: httpx.Client, room: dict[str, int], quantity: int, limit: int) -> dict[str, Any]:
    body: dict[str, Any] = {"variant_id": room["variant_id"], "quantity": quantity}
    body |= {"per_customer_limit": limit, "price": {"amount": 1999, "currency": "USD"}}
    body |= {"duration_s": 3600, "countdown_s": 0}
    return dict(_ok(host.post(f"/api/v1/streams/{room['stream_id']}/flash-sales", json=body), 201))


def buyers_for(reservations: int) -> int:
    """Enough buyers that `reservations` of one unit each stay within what one account may hold at
    once (`max_units_held`) and reserve per minute: fewer, and the rest are refused (409 hold_cap)."""
    from shop.settings import Settings

    fields = Settings.model_fields
    per_buyer = min(
        int(fields["max_units_held"].default), int(fields["reservations_per_account_per_minute"].default)
    )
    return max(10, math.ceil(reservations / per_buyer) + 1)


def insert_buyers(db_url: str, count: int) -> list[str]:
    """`count` shoppers with API tokens, written with the project's models (as tests/live_helpers)."""
    return asyncio.run(_insert_buyers(db_url, count))


async def _insert_buyers(db_url: str, count: int) -> list[str]:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    import shop.models  # noqa: F401  (every table on the metadata, for the foreign keys)
    from shop.accounts.models import ApiToken, User
    from shop.core import security
    from shop.core.db import build_engine
    from shop.settings import Settings

    now, tag, password_hash = datetime.now(UTC), uuid.uuid4().hex[:8], security.hash_password("unused-1")
    users = [
        {"email": f"b{i}-{tag}@bench.example", "password_hash": password_hash, "display_name": f"Buyer {i}"}
        | {"role": "shopper", "bio": "", "avatar_hue": i % 360, "follower_count": 0, "following_count": 0}
        | {"created_at": now, "updated_at": now}
        for i in range(count)
    ]
    tokens = [f"zc_bench_{tag}_{i}" for i in range(count)]
    engine = build_engine(Settings(database_url=db_url))
    try:
        async with engine.begin() as conn:
            returning = insert(User).returning(User.id, sort_by_parameter_order=True)
            ids = (await conn.execute(returning, users)).scalars().all()
            rows = [
                {"user_id": uid, "name": "bench", "token_digest": security.token_digest(token)}
                | {"created_at": now, "updated_at": now}
                for uid, token in zip(ids, tokens, strict=True)
            ]
            await conn.execute(insert(ApiToken), rows)
    finally:
        await engine.dispose()
    return tokens
