"""Moving the app's clock expires holds and ends sales without sleeping or rewriting rows."""

from datetime import timedelta
from types import ModuleType

from litestar import Litestar

from live.flash_sales import jobs as sale_jobs
from shop.orders import jobs as order_jobs
from tests.helpers import Client, add_address
from tests.live_helpers import launch_sale, live_room
from tests.payments_helpers import shop_with_stock, shopper_with_cart


def _dependency(app: Litestar, name: str):  # type: ignore[no-untyped-def]
    return app.dependencies[name].dependency()  # type: ignore[attr-defined]


async def test_a_checkout_hold_expires_when_the_clock_passes_it(
    client: Client, other_client: Client, shopper: Client, app: Litestar, clock: ModuleType
) -> None:
    product = await shop_with_stock(other_client, stock=1)
    variant_id = product["variants"][0]["id"]
    await shopper_with_cart(client, variant_id)
    checkout = await client.post("/api/v1/checkout")
    assert checkout.status_code == 201, checkout.text
    await add_address(shopper)
    added = await shopper.post("/api/v1/cart/lines", json={"variant_id": variant_id, "quantity": 1})
    assert added.status_code == 201, added.text
    held = await shopper.post("/api/v1/checkout")
    assert (held.status_code, held.json()["code"]) == (409, "out_of_stock")
    sessions, gateway, events = app.state["sessions"], _dependency(app, "gateway"), app.state["order_events"]

    clock.advance(timedelta(minutes=9))  # inside the 10-minute hold
    assert await order_jobs.expire_holds(sessions, gateway, events) == 0
    clock.advance(timedelta(minutes=2))
    assert await order_jobs.expire_holds(sessions, gateway, events) == 1

    order = (await client.get(f"/api/v1/orders/{checkout.json()['order_id']}")).json()
    assert order["status"] == "canceled"
    assert (await shopper.post("/api/v1/checkout")).status_code == 201  # the unit is free again


async def test_a_flash_sale_hold_expires_and_the_sale_ends_by_the_clock(
    client: Client, other_client: Client, shopper: Client, app: Litestar, clock: ModuleType
) -> None:
    room = await live_room(client, other_client)
    sale = await launch_sale(client, room, quantity=2, limit=2, duration_s=3600)
    reserve = f"/api/v1/flash-sales/{sale['id']}/reservations"
    assert (await shopper.post(reserve, json={"quantity": 2})).status_code == 201
    sessions, gate = app.state["sessions"], _dependency(app, "gate")

    clock.advance(timedelta(seconds=590))  # the hold lasts 600 s
    assert await sale_jobs.expire_holds(sessions, gate, None) == 0
    clock.advance(timedelta(seconds=20))
    assert await sale_jobs.expire_holds(sessions, gate, None) == 2
    ledger = (await client.get(f"/api/v1/flash-sales/{sale['id']}/ledger")).json()
    assert (ledger["held"], ledger["released"], ledger["available"]) == (0, 2, 2)

    again = await shopper.post(reserve, json={"quantity": 1})
    assert again.status_code == 201, again.text
    clock.advance(timedelta(hours=1))  # past the sale's end
    late = await shopper.post(reserve, json={"quantity": 1})
    assert (late.status_code, late.json()["code"]) == (409, "ended")
