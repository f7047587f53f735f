"""A hypothesis state machine over orders and payouts, against the real app, DB and local Stripe.

Each example opens two shops and a creator (onboarded now, or later by a rule); a shopper buys
through the creator's note, pays, gets partial and full refunds (and asks for more than is left)
before and after the payout; parcels ship, time passes, settlement runs, and a payee's balance
runs short so a reversal is refused. The model (`payout_model_books`) keeps what each line is
worth. After every step the books must prove themselves (the audit's I3, I4, I5) and agree with
the model: per payee, what Stripe holds for them plus what is planned, less what is being reversed
and what they owe, equals what the settled orders owe them; each order's transfers stay within its
charge; the creator's earnings and each shop's settlements read as the model says.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from shop.accounts.models import Role, User
from shop.accounts.services import create_api_token, open_shop
from shop.app import create_app
from shop.core import clock
from shop.core.db import build_engine
from shop.orders.models import Order as OrderRow
from shop.settings import Settings
from tests import backends
from tests.helpers import Client, add_address, make_note, make_product
from tests.integration import payout_model_books as books
from tests.integration.earning_helpers import PARCEL, onboard
from tests.integration.payout_helpers import (
    WINDOW_DAYS,
    audit_is_clean,
    flush_sandbox,
    gateway_of,
    order_books,
    set_balance,
    settle,
)
from tests.integration.payout_model_books import CREATOR, SHOPS, Line, Order

# (shop, bought through the note?): A is shop 0's, B and C shop 1's; C is not open to creators.
PRODUCTS = ((0, True), (1, True), (1, False))
MAX_ORDERS = 3  # per example: later steps refund, ship, settle and claw back rather than buy more
names = itertools.count()


class World:
    """One app for every example of the run, on the machine's own event loop."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, app: Litestar, config: Settings, sandbox: str
    ) -> None:
        self.loop, self.app, self.settings, self.sandbox = loop, app, config, sandbox
        self.engine = build_engine(config)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)


def has_orders(machine: PayoutMachine) -> bool:
    return bool(machine.orders)


def has_payout(machine: PayoutMachine) -> bool:
    return any(o.planned for o in machine.orders)


class PayoutMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.clients: list[Client] = []
        self.orders: list[Order] = []
        self.pending: Order | None = None
        self.accounts: dict[int, str] = {}

    def run(self, coro: Any) -> Any:
        return self.world.run(coro)

    async def _db(self, work: Any) -> Any:
        async with self.world.sessions() as db:
            return await work(db)

    def read(self, work: Any) -> Any:
        """`work(db)` on a session of the test's own."""
        return self.run(self._db(work))

    # ---- set-up -------------------------------------------------------------------------------

    async def _user(self, role: str) -> Client:
        """A user made in the database, signed in with an API token: hashing a password for four
        users per example would cost more than the example's steps."""
        async with self.world.sessions() as db:
            email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
            user = User(
                email=email, password_hash="!", display_name=f"Model {role}", role=role, merchant=None
            )
            db.add(user)
            await db.flush()
            if role == Role.MERCHANT:
                await open_shop(db, user, f"Model shop {user.id}")
            token, _ = await create_api_token(db, user, "model")
            await db.commit()
            me = {"id": user.id, "role": role}
        client = Client(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.world.app),  # type: ignore[arg-type]
                base_url="http://testserver.local",
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        client.me = me
        self.clients.append(client)
        return client

    @initialize(
        prices=st.tuples(*(st.integers(1, 20_000) for _ in PRODUCTS)),
        rates=st.tuples(st.integers(100, 8_000), st.integers(100, 8_000)),
        creator_onboarded=st.booleans(),
    )
    def open_shops(self, prices: tuple[int, ...], rates: tuple[int, int], creator_onboarded: bool) -> None:
        self.run(self._open_shops(prices, rates, creator_onboarded))

    async def _open_shops(self, prices: tuple[int, ...], rates: tuple[int, int], onboarded: bool) -> None:
        self.shops = [await self._user("merchant"), await self._user("merchant")]
        self.creator, self.shopper = await self._user("creator"), await self._user("shopper")
        self.payees = [*self.shops, self.creator]
        self.products: list[dict[str, Any]] = []
        self.bps: list[int | None] = []
        for (shop, via_note), price in zip(PRODUCTS, prices, strict=True):
            rate = rates[shop] if via_note else None
            product = await make_product(self.shops[shop], f"Model {next(names)}", price=price, open_bps=rate)
            self.products.append(product)
            self.bps.append(rate)
        noted = [p["id"] for p, (_, via_note) in zip(self.products, PRODUCTS, strict=True) if via_note]
        self.note = await make_note(self.creator, noted, title="Both shops")
        await add_address(self.shopper)
        for payee in (*SHOPS, CREATOR) if onboarded else SHOPS:
            self.accounts[payee] = await onboard(self.payees[payee])

    # ---- the shopper --------------------------------------------------------------------------

    @precondition(lambda self: self.pending is None and len(self.orders) < MAX_ORDERS)
    @rule(
        picks=st.lists(
            st.tuples(st.integers(0, len(PRODUCTS) - 1), st.integers(1, 3)),
            min_size=1,
            max_size=3,
            unique_by=lambda pick: pick[0],
        )
    )
    def buy(self, picks: list[tuple[int, int]]) -> None:
        """Lines of one or both shops, through the note (credited) or straight from the shop."""
        self.pending = self.run(self._buy(picks))

    async def _buy(self, picks: list[tuple[int, int]]) -> Order:
        for product, quantity in picks:
            line: dict[str, Any] = {
                "variant_id": self.products[product]["variants"][0]["id"],
                "quantity": quantity,
            }
            if PRODUCTS[product][1]:
                line["source"] = {"type": "note", "id": self.note["id"]}
            added = await self.shopper.post("/api/v1/cart/lines", json=line)
            assert added.status_code == 201, added.text
        checkout = await self.shopper.post("/api/v1/checkout", json={})
        assert checkout.status_code in (200, 201), checkout.text
        body = (await self.shopper.get(f"/api/v1/orders/{checkout.json()['order_id']}")).json()
        by_product = {p["id"]: i for i, p in enumerate(self.products)}
        lines = []
        for out in sorted(body["lines"], key=lambda ln: ln["id"]):
            product = by_product[out["product_id"]]
            total = out["unit_price"]["amount"] * out["quantity"]
            lines.append(Line(out["id"], PRODUCTS[product][0], total, self.bps[product]))
        assert body["total"]["amount"] == sum(ln.total for ln in lines)
        return Order(body["id"], body["total"]["amount"], lines)

    @precondition(lambda self: self.pending is not None)
    @rule()
    def pay(self) -> None:
        """Paid: each note line is credited to the creator at its product's rate, the others to nobody."""
        order = self.pending
        assert order is not None
        paid = self.run(
            self.shopper.post(f"/api/v1/orders/{order.id}/pay", json={"payment_method": "pm_card_visa"})
        )
        assert paid.json()["status"] == "paid", paid.text
        for out in paid.json()["lines"]:
            line = next(ln for ln in order.lines if ln.id == out["id"])
            credit = out["attribution"]
            expected = None if line.bps is None else (self.creator.id, line.bps)
            assert (credit and (credit["creator_id"], credit["commission_bps"])) == expected
        intent = paid.json()["payment"]["payment_intent_id"]
        order.charge_id = self.run(gateway_of(self.world.app).charge_of_intent(intent))
        self.orders.append(order)
        self.pending = None

    # ---- the shops ----------------------------------------------------------------------------

    def _pick(self, pick: int, paid_out: bool = False) -> Order:
        chosen = [o for o in self.orders if o.planned or not paid_out]
        return chosen[pick % len(chosen)]

    def _refund(self, order: Order, shop: int, amount: int | None) -> None:
        """Refund through the shop's API. Another shop's order is a 404; more than is left of the
        shop's lines is a 409; either changes nothing. Otherwise it fills the lines in id order."""
        left = order.left(shop)
        wanted = left if amount is None else amount
        before = self.read(lambda db: order_books(db, order.id))
        body: dict[str, Any] = (
            {"reason": "model"} if amount is None else {"amount": amount, "reason": "model"}
        )
        answer = self.run(self.shops[shop].post(f"/api/v1/orders/{order.id}/refunds", json=body))
        refused = 404 if not any(ln.shop == shop for ln in order.lines) else 409
        if refused == 404 or wanted <= 0 or wanted > left:
            assert answer.status_code == refused, answer.text
            assert self.read(lambda db: order_books(db, order.id)) == before
            return
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "succeeded", answer.text
        for line in order.lines:
            if line.shop == shop:
                take = min(wanted, line.total - line.refunded)
                line.refunded += take
                wanted -= take
        self._fulfilled(order)

    def _fulfilled(self, order: Order) -> None:
        """Read when the order counts as fulfilled (settlement waits RETURN_WINDOW_DAYS from then).
        The parcel or the refund that leaves every line shipped or refunded in full, with one
        shipped, fulfils it; nothing earlier does, and nothing later moves the date."""
        stored: datetime | None = self.read(
            lambda db: db.scalar(select(OrderRow.fulfilled_at).where(OrderRow.id == order.id))
        )
        done = all(ln.done() for ln in order.lines) and any(ln.shipped_at for ln in order.lines)
        assert (stored is not None) == done, (stored, done)
        if order.fulfilled_at is not None:
            assert stored == order.fulfilled_at
        order.fulfilled_at = stored

    @precondition(has_orders)
    @rule(
        order=st.integers(0, 99),
        shop=st.sampled_from(SHOPS),
        kind=st.sampled_from(("part", "part", "whole", "too_much")),
        pick=st.integers(1, 10**6),
    )
    def refund(self, order: int, shop: int, kind: str, pick: int) -> None:
        """A partial refund (at most what is left of the shop's lines), a full one, or one beyond
        what is left."""
        chosen = self._pick(order)
        left = chosen.left(shop)
        if kind == "whole":
            self._refund(chosen, shop, None)
        elif kind == "too_much" or left == 0:
            self._refund(chosen, shop, left + 1 + pick % 500)
        else:
            self._refund(chosen, shop, 1 + pick % left)

    @precondition(has_payout)
    @rule(
        order=st.integers(0, 99), shop=st.sampled_from(SHOPS), pick=st.integers(1, 10**6), whole=st.booleans()
    )
    def refund_after_payout(self, order: int, shop: int, pick: int, whole: bool) -> None:
        chosen = self._pick(order, paid_out=True)
        left = chosen.left(shop)
        self._refund(chosen, shop, None if whole or left == 0 else 1 + pick % left)

    @precondition(lambda self: any(ln.shippable() for o in self.orders for ln in o.lines))
    @rule(order=st.integers(0, 99), shops=st.sampled_from(((0,), (1,), SHOPS)))
    def fulfil(self, order: int, shops: tuple[int, ...]) -> None:
        """One shop ships its parcel (all its lines not refunded in full), or both do."""
        chosen = self._pick(order)
        for shop in shops:
            answer = self.run(self.shops[shop].post(f"/api/v1/orders/{chosen.id}/fulfilments", json=PARCEL))
            mine = [ln for ln in chosen.lines if ln.shop == shop]
            to_ship = [ln for ln in mine if ln.shippable()]
            expected = 404 if not mine else (409 if not to_ship else 201)
            assert answer.status_code == expected, answer.text
            if expected == 201:
                assert sorted(answer.json()["line_ids"]) == [ln.id for ln in to_ship]
                for line in to_ship:
                    line.shipped_at = clock.now()
                self._fulfilled(chosen)

    # ---- time, settlement, payees ---------------------------------------------------------------

    @precondition(lambda self: any(ln.shipped_at for o in self.orders if not o.planned for ln in o.lines))
    @rule(days=st.sampled_from((1, 3, WINDOW_DAYS + 1)))
    def pass_time(self, days: int) -> None:
        clock.advance(timedelta(days=days))

    @precondition(lambda self: any(o.fulfilled_at for o in self.orders))
    @rule()
    def run_settlement(self) -> None:
        self.run(settle(self.world.app))
        cutoff = clock.now() - timedelta(days=WINDOW_DAYS)
        for order in self.orders:
            if not order.planned and order.fulfilled_at is not None and order.fulfilled_at <= cutoff:
                order.planned = True
                order.merchant_transfer = {shop for shop in SHOPS if order.share(shop) > 0}
                order.creator_transfer = "planned" if order.share(CREATOR) > 0 else None
            if order.creator_transfer == "planned" and CREATOR in self.accounts:
                order.creator_transfer = "sent"

    @precondition(lambda self: any(not o.planned for o in self.orders))
    @rule(order=st.integers(0, 99))
    def pay_out(self, order: int) -> None:
        """The short way to a payout: every shop ships what it can, the window passes, a run settles."""
        chosen = [o for o in self.orders if not o.planned][order % sum(not o.planned for o in self.orders)]
        self.fulfil(self.orders.index(chosen), SHOPS)
        clock.advance(timedelta(days=WINDOW_DAYS + 1))
        self.run_settlement()

    @precondition(lambda self: has_orders(self) and CREATOR not in self.accounts)
    @rule()
    def creator_onboards(self) -> None:
        """Money owed before onboarding waited, planned; the next run sends it."""
        self.accounts[CREATOR] = self.run(onboard(self.creator))

    @precondition(has_payout)
    @rule(order=st.integers(0, 99), payee=st.sampled_from((*SHOPS, CREATOR)), pick=st.integers(1, 10**6))
    def reversal_refused(self, order: int, payee: int, pick: int) -> None:
        """The payee spent what they were paid, then a refund wants some back: their reversal is
        refused by Stripe and becomes a debt, kept back from their next transfers."""
        chosen = self._pick(order, paid_out=True)
        shop = (
            payee if payee in SHOPS else next((ln.shop for ln in chosen.lines if ln.commission() > 0), None)
        )
        if payee not in self.accounts or shop is None or chosen.left(shop) == 0:
            return
        user = self.payees[payee].id
        self.run(set_balance(self.world.sandbox, self.accounts[payee], 0))
        before, share = self.read(lambda db: books.taken_back(db, user)), chosen.share(payee)
        self._refund(chosen, shop, 1 + pick % chosen.left(shop))
        # pro rata: what they hold beyond their new due is asked back (or owed, if it was netted)
        asked = self.read(lambda db: books.taken_back(db, user)) - before
        assert asked == (share - chosen.share(payee) if chosen.holds(payee) else 0)
        owed, sent = (
            self.read(lambda db: books.debt(db, user)),
            self.read(lambda db: books.sent_count(db, user)),
        )
        taking = self.read(lambda db: books.reversing(db, user))
        self.run_settlement()
        if self.read(lambda db: books.sent_count(db, user)) == sent:  # nothing new raised their balance
            assert self.read(lambda db: books.reversing(db, user)) == 0
            assert self.read(lambda db: books.debt(db, user)) == owed + taking  # each refusal is owed

    # ---- the books ----------------------------------------------------------------------------

    @invariant()
    def books_prove_themselves(self) -> None:
        if hasattr(self, "note"):
            self.run(self._check_books())

    async def _check_books(self) -> None:
        async with self.world.sessions() as db:
            await audit_is_clean(db)
            key = self.world.settings.stripe_key
            stripe = await books.stripe_transfers(db, self.world.sandbox, key, self.orders)
            for payee in (*SHOPS, CREATOR):
                due = sum(order.share(payee) for order in self.orders if order.planned)
                user = self.payees[payee].id
                await books.payee_is_square(db, user, self.accounts.get(payee), due, stripe)
        totals = (await self.creator.get("/api/v1/earnings")).json()["totals"]
        expected = books.expected_earnings(self.orders, clock.now())
        assert {state: totals[state] for state in expected} == expected
        for shop in SHOPS:
            items = (await self.shops[shop].get("/api/v1/merchant/settlements")).json()["items"]
            books.settlements_match(items, shop, self.orders)

    def teardown(self) -> None:
        async def close() -> None:
            for client in self.clients:
                await client.raw.aclose()
            await backends.wipe(self.world.engine)
            await flush_sandbox(self.world.sandbox)

        self.run(close())


async def _started(app: Litestar) -> LifespanManager:
    lifespan = LifespanManager(app)  # it must be made inside the loop it runs on
    await lifespan.__aenter__()
    return lifespan


def test_payouts_keep_their_books_through_any_sequence(base_settings: Settings, stripe_sandbox: str) -> None:
    config = base_settings.model_copy(update={"redis_prefix": f"zc-model-{uuid.uuid4().hex[:8]}"})
    loop = asyncio.new_event_loop()
    app = create_app(config)
    lifespan = loop.run_until_complete(_started(app))
    PayoutMachine.world = world = World(loop, app, config, stripe_sandbox)
    world.run(flush_sandbox(stripe_sandbox))
    try:
        runner = PayoutMachine.TestCase
        runner.settings = settings(
            max_examples=5,
            stateful_step_count=35,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        runner().runTest()
    finally:
        world.run(world.engine.dispose())
        world.run(lifespan.__aexit__(None, None, None))
        world.run(flush_sandbox(stripe_sandbox))
        loop.close()
        clock.reset()
