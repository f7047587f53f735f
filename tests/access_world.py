"""The objects the access matrix probes, built once through the API: two users of each role (an
owner and a peer), an operator pair, and each kind of object a route names, owned by one of them.

Routes that destroy or change their object (delete, revoke, archive, end) get an object of their
own, so the matrix can run the owner's call last without spoiling another row."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from tests.access_rows import SALE
from tests.helpers import PASSWORD, Client, add_address, make_note, make_product, register, upload
from tests.integration.deal_helpers import active_deal, paid_offer, send_offer

ROLES = ("shopper", "creator", "merchant")


@dataclass
class World:
    users: dict[str, Client] = field(default_factory=dict)  # "shopper", "shopper2", ..., "anon"
    ids: dict[str, int | str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int | str:
        return self.ids[key]


def ok(response: httpx.Response, *codes: int) -> dict[str, Any]:
    assert response.status_code in (codes or (200, 201)), f"{response.request.url}: {response.text}"
    return dict(response.json()) if response.content else {}


async def browsers(app: Litestar, stack: AsyncExitStack, db: AsyncSession) -> dict[str, Client]:
    """Each user its own browser and address (sign-ups are limited per address)."""
    users: dict[str, Client] = {}
    names = [*(f"{r}{n}" for r in ROLES for n in ("", "2")), "operator", "operator2", "anon", "spare"]
    for number, name in enumerate(names, start=10):
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{number}", 50000))
        raw = httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
        users[name] = Client(await stack.enter_async_context(raw))
    for name in names[:6]:
        email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
        users[name].me = await register(users[name], email, role=name.removesuffix("2"))
    from shop.operators.commands import add_operator

    for name in ("operator", "operator2"):
        email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
        assert (await add_operator(db, email, PASSWORD)).outcome == "created"
        await db.commit()
        signed = await users[name].post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        users[name].me = ok(signed)
    return users


async def build(app: Litestar, stack: AsyncExitStack, db: AsyncSession) -> World:
    world = World(users=await browsers(app, stack, db))
    world.ids.update({f"user:{name}": user.id for name, user in world.users.items() if user.me})
    await _catalog(world)
    await _notes(world)
    await _accounts(world)
    await _orders(world)
    await _deals(world)
    await _streams(world)
    return world


async def _catalog(world: World) -> None:
    merchant, ids = world.users["merchant"], world.ids
    ids["shop"] = merchant.me["merchant"]["id"]
    ids["shop_to_move"] = world.users["merchant2"].me["merchant"]["id"]
    for key in ("product", "product_to_archive", "product_to_unarchive", "product_archived"):
        made = await make_product(merchant, key.replace("_", " ").title(), stock=50, sku=key.upper())
        ids[key], ids[f"{key}_variant"] = made["id"], made["variants"][0]["id"]
    collab = {"product_id": ids["product"], "commission_bps": 1000}
    ids["collaboration"] = ok(await merchant.post("/api/v1/collaborations", json=collab))["id"]
    spare = await make_product(merchant, "Closing Serum", sku="CLOSING")
    collab = {"product_id": spare["id"], "commission_bps": 1000}
    ids["collaboration_to_close"] = ok(await merchant.post("/api/v1/collaborations", json=collab))["id"]
    for key in ("product_to_unarchive", "product_archived"):
        archived = await merchant.post(
            f"/dashboard/products/{ids[key]}/archive", headers={"X-CSRFToken": await merchant.csrf()}
        )
        ok(archived, 302)
    ids["product2"] = (await make_product(world.users["merchant2"], "Other Serum", sku="OTHER"))["id"]
    creator = world.users["creator"]
    ok(await creator.post("/api/v1/me/showcase", json={"product_id": ids["product"]}))
    ids["showcased"] = ids["product"]


async def _notes(world: World) -> None:
    creator, ids = world.users["creator"], world.ids
    ids["note"] = (await make_note(creator, [int(ids["product"])], title="Public note"))["id"]
    for key in ("note_to_delete", "note_to_delete_page"):
        ids[key] = (await make_note(creator, [], title=key))["id"]
    image = await upload(creator)
    draft = {"title": "Draft", "images": [{"upload_id": image["upload_id"], "tags": []}], "status": "draft"}
    ids["draft"] = ok(await creator.post("/api/v1/notes", json=draft))["id"]
    ids["note2"] = (await make_note(world.users["creator2"], [], title="Another's note"))["id"]
    # Uploads not used yet: naming another's in a note or product must not take it.
    ids["upload"] = (await upload(creator))["upload_id"]
    ids["upload2"] = (await upload(world.users["creator2"]))["upload_id"]
    comment = await world.users["shopper"].post(f"/api/v1/notes/{ids['note']}/comments", json={"body": "Hi"})
    ids["comment"] = ok(comment)["id"]


async def _accounts(world: World) -> None:
    """The shopper's addresses, cart line, tokens and extra sessions (signed in from a spare browser)."""
    shopper, ids = world.users["shopper"], world.ids
    ids["address"] = (await add_address(shopper))["id"]
    for key in ("address_to_delete", "address_to_delete_page"):
        ids[key] = (await add_address(shopper, default=False))["id"]
    for key in ("token", "token_to_revoke_page"):
        ok(await shopper.post("/api/v1/auth/tokens", json={"name": key}))
    tokens = ok(await shopper.get("/api/v1/auth/tokens"))["items"]
    ids["token"], ids["token_to_revoke_page"] = sorted(t["id"] for t in tokens)
    spare = world.users["spare"]
    login = {"email": shopper.me["email"], "password": PASSWORD}
    for _ in range(2):
        ok(await spare.post("/api/v1/auth/login", json=login))
        spare.cookies.clear()
    sessions = ok(await shopper.get("/api/v1/me/sessions"))["items"]
    ids["session"], ids["session_to_revoke_page"] = sorted(s["id"] for s in sessions if not s["current"])


async def _orders(world: World) -> None:
    """A paid order of the merchant's product through the creator's note, then an unpaid one whose
    line stays in the cart (lines leave the cart when paid)."""
    shopper, ids = world.users["shopper"], world.ids
    line = {
        "variant_id": ids["product_variant"],
        "quantity": 1,
        "source": {"type": "note", "id": ids["note"]},
    }
    ok(await shopper.post("/api/v1/cart/lines", json=line))
    ids["order"] = ok(await shopper.post("/api/v1/checkout", json={}))["order_id"]
    paid = await shopper.post(f"/api/v1/orders/{ids['order']}/pay", json={"payment_method": "pm_card_visa"})
    assert ok(paid)["status"] == "paid"
    for key, variant in (("line", "product_variant"), ("line_page", "product_to_archive_variant")):
        line = {"variant_id": ids[variant], "quantity": 1}
        cart = ok(await shopper.post("/api/v1/cart/lines", json=line))
        ids[key] = next(each["id"] for each in cart["lines"] if each["variant_id"] == ids[variant])
    ids["order_unpaid"] = ok(await shopper.post("/api/v1/checkout", json={}))["order_id"]


async def _deals(world: World) -> None:
    merchant, creator, ids = world.users["merchant"], world.users["creator"], world.ids
    products = [int(ids["product"])]
    for key in ("offer", "offer_to_decline", "offer_to_withdraw", "offer_to_answer_page"):
        ids[key] = (await paid_offer(merchant, creator.id, product_ids=products))["id"]
    ids["offer_unpaid"] = (await send_offer(merchant, creator.id, product_ids=products))["id"]
    for key in ("deal", "deal_to_cancel", "deal_page"):
        ids[key] = (await active_deal(merchant, creator, product_ids=products))["id"]


async def _streams(world: World) -> None:
    """The merchant's live room (the product shelved, a flash sale on, the shopper holding one),
    a scheduled stream, and streams of their own for start and end."""
    merchant, ids = world.users["merchant"], world.ids
    for key in ("stream", "stream_scheduled", "stream_to_start", "stream_to_end"):
        ids[key] = ok(await merchant.post("/api/v1/streams", json={"title": key}))["id"]
    ids["stream2"] = ok(await world.users["merchant2"].post("/api/v1/streams", json={"title": "Other"}))["id"]
    shelf = {"product_ids": [ids["product"]]}
    ok(await merchant.put(f"/api/v1/streams/{ids['stream']}/products", json=shelf))
    for key in ("stream", "stream_to_end"):
        ok(await merchant.post(f"/api/v1/streams/{ids[key]}/start"))
    sale = {**SALE, "variant_id": ids["product_variant"], "quantity": 20, "duration_s": 3600}
    ids["sale"] = ok(await merchant.post(f"/api/v1/streams/{ids['stream']}/flash-sales", json=sale))["id"]
    held = await world.users["shopper"].post(
        f"/api/v1/flash-sales/{ids['sale']}/reservations", json={"quantity": 1}
    )
    ids["reservation"] = ok(held)["reservation_id"]
    said = await world.users["shopper"].post(f"/api/v1/streams/{ids['stream']}/chat", json={"text": "Hello"})
    ids["chat_seq"] = ok(said)["seq"]
