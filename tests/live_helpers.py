"""Builders for live tests: a live room with a shelf, and many buyers with API tokens, fast."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from litestar import Litestar
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import ApiToken, User
from shop.addresses.models import Address
from shop.core import security
from shop.core.db import build_reader
from tests.helpers import ADDRESS, Client, free_port, make_product, register

_HASH = security.hash_password("not-used-for-login")


async def live_room(host: Client, merchant: Client, stock: int = 500, price: int = 3000) -> dict[str, Any]:
    """The brand's own room (only a shop may flash-sell its stock), run by `host`, a creator the
    brand made a moderator: the creator pins and launches the sales."""
    await register(merchant, f"m-{uuid.uuid4().hex[:6]}@shop.example", role="merchant")
    product = await make_product(
        merchant, "Glow Serum", stock=stock, price=price, sku=f"GS-{uuid.uuid4().hex[:6]}"
    )
    creator = await register(host, f"host-{uuid.uuid4().hex[:6]}@example.com", role="creator")
    stream_id = (await merchant.post("/api/v1/streams", json={"title": "Deals"})).json()["id"]
    await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [product["id"]]})
    await merchant.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": creator["id"]})
    await merchant.post(f"/api/v1/streams/{stream_id}/start")
    return {"stream_id": stream_id, "product": product, "variant_id": product["variants"][0]["id"]}


async def launch_sale(
    host: Client,
    room: dict[str, Any],
    *,
    quantity: int,
    limit: int = 2,
    price: int = 1999,
    countdown_s: int = 0,
    duration_s: int = 600,
) -> dict[str, Any]:
    response = await host.post(
        f"/api/v1/streams/{room['stream_id']}/flash-sales",
        json={
            "variant_id": room["variant_id"],
            "quantity": quantity,
            "price": {"amount": price, "currency": "USD"},
            "per_customer_limit": limit,
            "duration_s": duration_s,
            "countdown_s": countdown_s,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def buyers(db: AsyncSession, count: int) -> list[str]:
    """`count` shoppers with Bearer tokens, inserted directly: hashing 1,000 passwords is not the test."""
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    rows = [
        {
            "email": f"b{i}-{tag}@example.com",
            "password_hash": _HASH,
            "display_name": f"Buyer {i}",
            "role": "shopper",
            "bio": "",
            "avatar_hue": i % 360,
            "follower_count": 0,
            "following_count": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    ids = (await db.execute(insert(User).returning(User.id), rows)).scalars().all()
    tokens = [f"zc_{tag}_{i}" for i in range(count)]
    await db.execute(
        insert(ApiToken),
        [
            {
                "user_id": uid,
                "name": "load",
                "token_digest": security.token_digest(tok),
                "created_at": now,
                "updated_at": now,
            }
            for uid, tok in zip(ids, tokens, strict=True)
        ],
    )
    # Each has a default address, as a shopper who buys in a room would: checkout ships there.
    await db.execute(
        insert(Address),
        [
            {**ADDRESS, "user_id": uid, "is_default": True, "created_at": now, "updated_at": now}
            for uid in ids
        ],
    )
    await db.commit()
    return tokens


async def streaming_room(
    host: Client, merchant: Client, products: int = 2, *, brand_hosted: bool = False
) -> tuple[int, list[int]]:
    """A live stream with `products` of a merchant's products on its shelf.

    By default a creator hosts it, shelving products the brand opened for collaboration. A flash
    sale needs the brand's own room: `brand_hosted` has the merchant host, with the creator
    (`host`) as its moderator, who pins and launches."""
    await register(merchant, "m@shop.example", role="merchant")
    ids = [(await make_product(merchant, f"Live Item {i}", sku=f"LIVE-{i}"))["id"] for i in range(products)]
    creator = await register(host, "host@example.com", role="creator")
    owner = merchant if brand_hosted else host
    if not brand_hosted:
        for product_id in ids:  # the brand opens them to creators, so a creator may shelve them
            body = {"product_id": product_id, "commission_bps": 1000}
            assert (await merchant.post("/api/v1/collaborations", json=body)).status_code == 201
    stream = await owner.post(
        "/api/v1/streams", json={"title": "Friday glow-up", "playback_url": "https://x.example/live.m3u8"}
    )
    assert stream.status_code == 201, stream.text
    stream_id = stream.json()["id"]
    shelved = await owner.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": ids})
    assert shelved.status_code == 200, shelved.text
    if brand_hosted:
        await merchant.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": creator["id"]})
    assert (await owner.post(f"/api/v1/streams/{stream_id}/start")).json()["status"] == "live"
    return stream_id, ids


async def hold_and_checkout(shopper: Client, sale_id: int, quantity: int) -> dict[str, Any]:
    """Reserve `quantity` and open the in-room checkout for it: {hold, order_id}."""
    reserved = await shopper.post(f"/api/v1/flash-sales/{sale_id}/reservations", json={"quantity": quantity})
    assert reserved.status_code == 201, reserved.text
    hold = reserved.json()
    url = f"/api/v1/flash-sales/{sale_id}/reservations/{hold['reservation_id']}/checkout"
    checkout = await shopper.post(url, json={"shipping_address": ADDRESS})
    assert checkout.status_code == 201, checkout.text
    return {"hold": hold, "order_id": checkout.json()["order_id"]}


async def next_message(ws: Any, kind: str) -> dict[str, Any]:
    """The socket's next message of type `kind`, skipping the others (5 s at most)."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        if message["type"] == kind:
            return dict(message)


@contextmanager
def queries_of(app: Litestar, table: str, *, reader: bool = False) -> Iterator[list[str]]:
    """The app's own SQL statements that read `table`, as they run (`reader`: those of the
    autocommit engine beside it, `shop.core.db.build_reader`, which reads API tokens' rows)."""
    engine = app.state["sessions"].kw["bind"]
    engine = (build_reader(engine) if reader else engine).sync_engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if table in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@asynccontextmanager
async def bearer(app: Litestar, token: str, ip: str = "192.0.2.14") -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own address (not the shared test IP's throttles) sending the API token."""
    transport = httpx.ASGITransport(app=app, client=(ip, 5000))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local", headers=headers
    ) as client:
        yield client


def reserve_url(sale: dict[str, Any]) -> str:
    return f"/api/v1/flash-sales/{sale['id']}/reservations"


@asynccontextmanager
async def served(app: Litestar) -> AsyncIterator[str]:
    """The same app behind a real uvicorn socket, on the test's event loop: its host:port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
        lifespan="off",
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        await task
