"""Operators: made only from the command line; they verify, suspend and reinstate shops, and a
suspended shop's products cannot be bought, shelved, tagged or flash-sold until it is reinstated."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Role, User
from shop.core import security
from shop.core.errors import Conflict, InvalidInput
from shop.notifications.models import Notification
from shop.operators.commands import add_operator, list_operators
from shop.orders.models import Order
from shop.settings import Settings
from tests.helpers import PASSWORD, ROOT, Client, add_address, make_product, upload
from tests.live_helpers import launch_sale, live_room


def _shop(merchant: Client) -> int:
    return int(merchant.me["merchant"]["id"])


async def _move(operator: Client, shop_id: int, action: str, **body: Any) -> Any:
    response = await operator.post(f"/api/v1/operator/shops/{shop_id}/{action}", json=body or None)
    assert response.status_code == 200, response.text
    return response.json()


async def test_nobody_signs_up_as_an_operator(anonymous: Client) -> None:
    body = {"email": "boss@example.com", "password": PASSWORD, "display_name": "Boss", "role": "operator"}
    refused = await anonymous.post("/api/v1/auth/register", json=body)
    assert refused.status_code == 422
    assert "role" in refused.json()["fields"]
    page = await anonymous.form("/signup", {**body, "next": "/"})
    assert page.status_code == 422
    assert "operators are made by the platform" in page.text
    assert (await anonymous.get("/api/v1/me")).status_code == 401  # neither signed anyone in


async def test_the_command_creates_promotes_and_refuses_a_shop_owner(
    db: AsyncSession, creator: Client, merchant: Client
) -> None:
    created = await add_operator(db, "  Night.Ops@Example.com ")
    assert (created.outcome, created.user.email, created.user.display_name) == (
        "created",
        "night.ops@example.com",
        "night.ops",
    )
    assert created.generated_password
    assert len(created.generated_password) >= 16
    assert security.verify_password(created.user.password_hash, created.generated_password)
    assert created.user.password_hash.startswith("$argon2")
    again = await add_operator(db, "night.ops@example.com")
    assert (again.outcome, again.generated_password, again.user.id) == ("unchanged", None, created.user.id)

    promoted = await add_operator(db, creator.me["email"])
    assert (promoted.outcome, promoted.user.id, promoted.user.role) == ("promoted", creator.id, "operator")
    with pytest.raises(Conflict, match="owns the shop"):
        await add_operator(db, merchant.me["email"])
    with pytest.raises(InvalidInput):
        await add_operator(db, "not-an-email")
    await db.commit()
    assert [u.email for u in await list_operators(db)] == [creator.me["email"], "night.ops@example.com"]
    still_merchant = await db.scalar(select(User.role).where(User.id == merchant.id))
    assert still_merchant == Role.MERCHANT


def test_the_command_line_adds_and_lists(base_settings: Settings) -> None:
    env = {**os.environ, "DATABASE_URL": base_settings.db_url, "VAR_DIR": str(base_settings.var_dir)}
    email = f"cli-{uuid.uuid4().hex[:6]}@example.com"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shop", "operator", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = run("add", email, "--password", "a long password")
    assert added.returncode == 0, added.stderr
    assert f"{email} (cli-" in added.stdout
    assert "created" in added.stdout
    assert "password:" not in added.stdout  # one was given: nothing to print
    listed = run("list")
    assert email in listed.stdout
    short = run("add", email, "--password", "short")
    assert short.returncode == 1
    assert "8 to 128" in short.stdout


async def test_only_operators_reach_the_operator_api_and_page(
    shopper: Client, merchant: Client, creator: Client, anonymous: Client, operator: Client
) -> None:
    shop_id = _shop(merchant)
    for outsider in (shopper, merchant, creator):
        assert (await outsider.get("/api/v1/operator/shops")).status_code == 403
        refused = await outsider.post(f"/api/v1/operator/shops/{shop_id}/suspend", json={"reason": "mine"})
        assert refused.status_code == 403
        assert (await outsider.get("/operator")).status_code == 403
    assert (await anonymous.get("/api/v1/operator/shops")).status_code == 401
    assert (await merchant.get(f"/api/v1/products?merchant_id={shop_id}")).status_code == 200
    listed = (await operator.get("/api/v1/operator/shops")).json()["items"]
    mine = next(s for s in listed if s["id"] == shop_id)
    assert mine["status"] == "unverified"
    assert mine["owner"] == {"id": merchant.id, "display_name": merchant.me["display_name"]}
    assert "Operator" not in (await shopper.get("/me")).text
    assert 'href="/operator"' in (await operator.get("/me")).text


async def test_verify_suspend_reinstate(operator: Client, merchant: Client, other_merchant: Client) -> None:
    shop_id = _shop(merchant)
    await make_product(merchant, "Tea Tin", sku="TIN-1")
    assert "data-verified" not in (await merchant.get(f"/shops/{shop_id}")).text
    verified = await _move(operator, shop_id, "verify")
    assert (verified["status"], verified["products"]) == ("verified", 1)
    assert (await _move(operator, shop_id, "verify"))["status"] == "verified"  # a double tap: no change
    assert "data-verified" in (await merchant.get(f"/shops/{shop_id}")).text

    for reason in ("", "x" * 301):
        bad = await operator.post(f"/api/v1/operator/shops/{shop_id}/suspend", json={"reason": reason})
        assert bad.status_code == 422
        assert "reason" in bad.json()["fields"]
    assert (await operator.post(f"/api/v1/operator/shops/{shop_id}/suspend")).status_code in (400, 422)
    suspended = await _move(operator, shop_id, "suspend", reason="Counterfeit <b>goods</b>")
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "Counterfeit <b>goods</b>")
    assert suspended["status_changed_at"] is not None
    refused = await operator.post(f"/api/v1/operator/shops/{shop_id}/verify")
    assert refused.status_code == 409  # reinstate first
    reinstated = await _move(operator, shop_id, "reinstate")
    assert (reinstated["status"], reinstated["status_reason"]) == ("unverified", "")
    assert (await _move(operator, shop_id, "reinstate"))["status"] == "unverified"  # again: no change
    assert (await operator.post("/api/v1/operator/shops/999999/verify")).status_code == 404

    only = (await operator.get("/api/v1/operator/shops?status=unverified")).json()["items"]
    assert shop_id in [s["id"] for s in only]
    await _move(operator, _shop(other_merchant), "verify")
    not_suspended = await operator.post(f"/api/v1/operator/shops/{_shop(other_merchant)}/reinstate")
    assert not_suspended.status_code == 409
    named = other_merchant.me["merchant"]["name"]
    found = (await operator.get("/api/v1/operator/shops", params={"q": named})).json()["items"]
    assert [s["id"] for s in found] == [_shop(other_merchant)]

    inbox = (await merchant.get("/notifications")).text
    assert "Your shop is verified" in inbox
    assert "Your shop was reinstated" in inbox
    assert "Counterfeit &lt;b&gt;goods&lt;/b&gt;" in inbox  # the reason, escaped
    kinds = (await merchant.get("/api/v1/notifications")).json()["items"]
    assert [n["kind"] for n in kinds] == ["shop_reinstated", "shop_suspended", "shop_verified"]


async def test_the_operator_page_moves_a_shop_with_forms(
    operator: Client, merchant: Client, db: AsyncSession
) -> None:
    shop_id = _shop(merchant)
    page = await operator.get("/operator?status=unverified")
    assert page.status_code == 200
    assert f'data-shop-id="{shop_id}"' in page.text
    assert f"/operator/shops/{shop_id}/verify" in page.text
    assert "csrf" in page.text.lower()
    no_reason = await operator.form(f"/operator/shops/{shop_id}/suspend", {"reason": " "})
    assert no_reason.status_code == 422
    assert f"Shop #{shop_id}" in no_reason.text
    moved = await operator.form(
        f"/operator/shops/{shop_id}/suspend", {"reason": "Fake reviews", "next": "/operator?status=suspended"}
    )
    assert (moved.status_code, moved.headers["location"]) == (302, "/operator?status=suspended")
    listed = await operator.get("/operator?status=suspended")
    assert "Fake reviews" in listed.text
    assert f"/operator/shops/{shop_id}/reinstate" in listed.text
    no_csrf = await operator.form(f"/operator/shops/{shop_id}/reinstate", {}, csrf=False)
    assert no_csrf.status_code == 403
    off_site = await operator.form(f"/operator/shops/{shop_id}/reinstate", {"next": "//evil.example"})
    assert off_site.headers["location"] == "/operator"
    told = await db.scalar(select(func.count(Notification.id)).where(Notification.user_id == merchant.id))
    assert told == 2  # suspended, reinstated: the refused form told no one


async def test_a_suspended_shop_sells_shelves_and_tags_nothing_until_reinstated(
    operator: Client, merchant: Client, shopper: Client, db: AsyncSession
) -> None:
    shop_id = _shop(merchant)
    kept = await make_product(merchant, "Jasmine Pearls", sku="JP-1")
    fresh = await make_product(merchant, "Green Needles", sku="GN-1")
    await add_address(shopper)
    line = {"variant_id": kept["variants"][0]["id"], "quantity": 1}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    stream_id = (await merchant.post("/api/v1/streams", json={"title": "Tea time"})).json()["id"]

    await _move(operator, shop_id, "suspend", reason="Unpaid fees")
    other_line = {"variant_id": fresh["variants"][0]["id"], "quantity": 1}
    added = await shopper.post("/api/v1/cart/lines", json=other_line)
    assert added.status_code == 422
    assert "shop is unavailable" in added.json()["message"]
    checkout = await shopper.post("/api/v1/checkout")
    assert checkout.status_code == 422
    assert "Jasmine Pearls" in checkout.json()["message"]
    assert await db.scalar(select(func.count(Order.id)).where(Order.user_id == shopper.id)) == 0
    shelved = await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [fresh["id"]]})
    assert shelved.status_code == 422
    assert str(fresh["id"]) in shelved.json()["fields"]["product_ids"]
    image = await upload(merchant)
    tag = {"product_id": fresh["id"], "x": 0.5, "y": 0.5}
    note = {
        "title": "New harvest",
        "body": "",
        "topics": [],
        "images": [{"upload_id": image["upload_id"], "tags": [tag]}],
    }
    tagged = await merchant.post("/api/v1/notes", json=note)  # not even its own owner may tag it
    assert tagged.status_code == 422
    assert str(fresh["id"]) in tagged.json()["fields"]["images"]
    page = (await shopper.get(f"/products/{fresh['id']}")).text
    assert "This shop is unavailable" in page
    assert "data-buy-form" not in page
    assert "This shop is unavailable" in (await shopper.get(f"/shops/{shop_id}")).text
    assert (await shopper.get(f"/api/v1/products/{fresh['id']}")).json()["shop_status"] == "suspended"

    await _move(operator, shop_id, "reinstate")
    assert (await shopper.post("/api/v1/cart/lines", json=other_line)).status_code == 201
    assert "data-buy-form" in (await shopper.get(f"/products/{fresh['id']}")).text
    shelved = await merchant.put(f"/api/v1/streams/{stream_id}/products", json={"product_ids": [fresh["id"]]})
    assert shelved.status_code == 200, shelved.text
    assert (await merchant.post("/api/v1/notes", json=note)).status_code == 201
    paid_for = await shopper.post("/api/v1/checkout")
    assert paid_for.status_code == 201, paid_for.text


async def test_a_suspended_shop_sells_nothing_in_its_live_room(
    operator: Client, shopper: Client, creator: Client, third_client: Client
) -> None:
    room = await live_room(creator, third_client, stock=20)
    sale = await launch_sale(creator, room, quantity=5, limit=2)
    await add_address(shopper)
    held = await shopper.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert held.status_code == 201, held.text
    shop_id = int((await third_client.get("/api/v1/me")).json()["merchant"]["id"])
    await _move(operator, shop_id, "suspend", reason="Under review")

    grab = await shopper.post(f"/api/v1/flash-sales/{sale['id']}/reservations", json={"quantity": 1})
    assert grab.status_code == 422
    assert "Glow Serum" in grab.json()["message"]
    pay_hold = await shopper.post(
        f"/api/v1/flash-sales/{sale['id']}/reservations/{held.json()['reservation_id']}/checkout"
    )
    assert pay_hold.status_code == 422
    sheet = await shopper.post(
        f"/api/v1/streams/{room['stream_id']}/checkout",
        json={"variant_id": room["variant_id"], "quantity": 1},
    )
    assert sheet.status_code == 422
    assert "Glow Serum" in sheet.json()["message"]
    again = await third_client.post(
        f"/api/v1/streams/{room['stream_id']}/flash-sales",
        json={
            "variant_id": room["variant_id"],
            "quantity": 1,
            "price": {"amount": 100, "currency": "USD"},
            "per_customer_limit": 1,
            "duration_s": 60,
        },
    )
    assert again.status_code == 422
