"""The demo's month of orders: bought, paid, shipped and refunded through the services the API uses.

The demo shoppers buy from the four shops (mostly Glow Lab) over the last 30 days: about half
through a note that tags the product, a fifth from a live room's shelf, the rest straight from the
shop, and pay with Stripe's test card on the local Stripe server (`scripts/demo` starts it before
the seed). Every step runs at its own moment on the app's one clock, in time order, so orders,
payments, parcels, refunds, commission entries and inbox rows agree on when things happened. The
order events are the app's own (`offline_order_events`), so the commission ledger credits and
adjusts creators as it does in production. What was bought in the last day or so has not shipped
yet (the dashboard's "Action needed"); one order is refunded in full before it ships, two in part.

Without a local Stripe server (the seed run alone) the step says so and is skipped. It runs once:
when a demo shopper has an order already, nothing is bought.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from live.models import Stream, StreamProduct
from payments.errors import StripeFailure
from payments.gateway import StripeGateway
from shop.accounts.models import Merchant, User
from shop.analytics.jobs import session_factory
from shop.cart.models import SourceType
from shop.cart.schemas import AddLineIn, SourceIn
from shop.cart.services import add_line, open_cart, remove_line
from shop.catalog.models import Product, Variant
from shop.core import clock
from shop.demo.content import SHOPPERS, SHOPS
from shop.demo.order_plan import DAYS, Step, Way, World, plan
from shop.notes.models import Note, NoteImage, ProductTag, published
from shop.orders import fulfilment, refunds
from shop.orders.checkout import checkout_cart, pay
from shop.orders.events import OrderEvents
from shop.orders.models import Order
from shop.orders.schemas import FulfilmentIn, PayIn
from shop.settings import Settings

CARD = PayIn(payment_method="pm_card_visa")
CARRIERS = ("UPS", "USPS", "FedEx")
REFUND_REASONS = ("Box arrived dented", "One item was missing its pump")


@dataclass
class _Run:
    sessions: async_sessionmaker[AsyncSession]
    gateway: StripeGateway
    events: OrderEvents
    users: dict[str, int]
    hold_minutes: int
    rng: random.Random  # tracking numbers and the like; what is bought is the plan's


async def seed_orders(db: AsyncSession, settings: Settings, say: Callable[[str], None]) -> int:
    """Buy, pay, ship and refund the demo's orders; returns how many were made (0: skipped)."""
    from shop.app import build_gateway  # the root builds the gateway, as `python -m shop reconcile`
    from shop.wiring import offline_order_events, register_live

    await db.commit()
    world = await _load_people(db)
    shoppers = [world.users[p.email] for p in SHOPPERS if p.email in world.users]
    if await db.scalar(select(func.count(Order.id)).where(Order.user_id.in_(shoppers))):
        say("orders already seeded (the demo shoppers have orders)")
        return 0
    gateway = build_gateway(settings)
    if skipped := await _why_not(settings, gateway):
        say(f"orders skipped: {skipped}")
        return 0
    started = time.perf_counter()
    register_live()  # a shelf purchase asks live who hosts the room
    await _load_ways(db, world)
    steps = plan(world, clock.now())
    events = offline_order_events(settings)
    run = _Run(session_factory(db), gateway, events, world.users, settings.hold_minutes, random.Random(8))
    try:
        for step in steps:
            clock.set(step.when)
            await STEPS[step.kind](run, step)
    finally:
        clock.reset()
    made = {kind: sum(s.kind == kind for s in steps) for kind in STEPS}
    say(
        f"{made['buy']} orders over {DAYS} days paid on the local Stripe server, {made['ship']} "
        f"shipped, {made['refund']} refunded, in {time.perf_counter() - started:.1f}s"
    )
    return made["buy"]


async def _why_not(settings: Settings, gateway: StripeGateway) -> str | None:
    if not settings.uses_local_stripe:
        return "they are paid on the local Stripe server only, and STRIPE_SECRET_KEY is set"
    try:
        await gateway.recent_intents(limit=1)
    except StripeFailure:
        return f"no local Stripe server at {settings.stripe_api_base} (scripts/demo starts one)"
    return None


async def _load_people(db: AsyncSession) -> World:
    """The ids of the demo shoppers and shop owners (`users`, by email) and of the shops (by code)."""
    code_of = {s.email: s.code for s in SHOPS}
    stmt = (
        select(User.email, User.id, Merchant.id)
        .outerjoin(Merchant, Merchant.owner_id == User.id)
        .where(User.email.in_([*code_of, *(p.email for p in SHOPPERS)]))
    )
    rows = (await db.execute(stmt)).all()
    shops = {code_of[email]: shop_id for email, _, shop_id in rows if email in code_of and shop_id}
    return World({email: user_id for email, user_id, _ in rows}, shops)


async def _load_ways(db: AsyncSession, world: World) -> None:
    """Every note tagging a shop's product, every room that aired with one on its shelf, each shop
    itself; and the stock of the variants that can be bought."""
    code_of = {shop_id: code for code, shop_id in world.shops.items()}
    notes = (
        select(Note.id, Note.author_id, Note.created_at, Product.merchant_id, ProductTag.product_id)
        .join(NoteImage, NoteImage.note_id == Note.id)
        .join(ProductTag, ProductTag.note_image_id == NoteImage.id)
        .join(Product, Product.id == ProductTag.product_id)
        .where(published(), Product.is_active.is_(True))
    )
    rooms = (
        select(Stream.id, Stream.host_id, Stream.started_at, Product.merchant_id, StreamProduct.product_id)
        .join(StreamProduct, StreamProduct.stream_id == Stream.id)
        .join(Product, Product.id == StreamProduct.product_id)
        .where(Stream.started_at.is_not(None), Product.is_active.is_(True))
    )
    for kind, stmt in (("note", notes), ("stream", rooms)):
        grouped: dict[tuple[int, int, datetime | None, int], list[int]] = defaultdict(list)
        for source_id, author_id, since, merchant_id, product_id in (await db.execute(stmt)).all():
            grouped[(source_id, author_id, since, merchant_id)].append(product_id)
        for (source_id, author_id, since, merchant_id), products in sorted(grouped.items()):
            if merchant_id in code_of and since is not None:
                way = Way(kind, source_id, code_of[merchant_id], tuple(products), since, author_id)
                world.ways[way.shop].append(way)
    variants = select(Variant.id, Variant.product_id, Variant.stock_on_hand, Product.merchant_id).join(
        Product, Product.id == Variant.product_id
    )
    in_shop: dict[int, list[int]] = defaultdict(list)
    for variant_id, product_id, stock, merchant_id in (await db.execute(variants.order_by(Variant.id))).all():
        world.stock[product_id].append([variant_id, stock])
        in_shop[merchant_id].append(product_id)
    since = clock.now() - timedelta(days=DAYS)
    for code, shop_id in world.shops.items():
        world.ways[code].append(Way("direct", None, code, tuple(sorted(set(in_shop[shop_id]))), since))


@asynccontextmanager
async def _request(run: _Run, email: str) -> AsyncIterator[tuple[AsyncSession, User]]:
    """One request's session, signed in as `email`; committed at the end, as the app commits one."""
    async with run.sessions() as db:
        yield db, await db.get_one(User, run.users[email])
        await db.commit()


async def _buy(run: _Run, step: Step) -> None:
    email = step.buy.shopper.email
    async with _request(run, email) as (db, user):
        cart = await open_cart(db, user, None)
        for left in list(cart.lines):  # a cart left from browsing the demo would be bought too
            await remove_line(db, cart, left.id)
    for variant_id, quantity, way in step.buy.lines:  # one request a line, as the cart page sends
        async with _request(run, email) as (db, user):
            source = SourceIn(type=SourceType(way.kind), id=way.source_id) if way.source_id else None
            wanted = AddLineIn(variant_id=variant_id, quantity=quantity, source=source)
            await add_line(db, await open_cart(db, user, None), wanted)
    async with _request(run, email) as (db, user):
        order, _ = await checkout_cart(
            db, run.gateway, user, idempotency_key=None, hold_minutes=run.hold_minutes
        )
        clock.advance(timedelta(seconds=run.rng.randint(20, 90)))  # typing the card in
        paid, _ = await pay(db, run.gateway, run.events, user, order.id, CARD)
        step.buy.order_id = paid.id


async def _ship(run: _Run, step: Step) -> None:
    async with _request(run, _owner(step)) as (db, user):
        assert user.merchant is not None
        number = f"1Z{run.rng.randrange(10**12):012d}"
        parcel = FulfilmentIn(carrier=run.rng.choice(CARRIERS), tracking_number=number)
        await fulfilment.fulfil(db, run.events, user.merchant, step.buy.order_id, parcel)


async def _refund(run: _Run, step: Step) -> None:
    """As the merchant's refund form does: all of its lines, or a share in whole dollars."""
    async with _request(run, _owner(step)) as (db, user):
        merchant = user.merchant
        assert merchant is not None
        order = await db.get_one(Order, step.buy.order_id)
        mine = sum(line.total_amount for line in order.lines if line.merchant_id == merchant.id)
        amount = None if step.share >= 1 else max(100, int(mine * step.share) // 100 * 100)
        reason = "Ordered the wrong size" if amount is None else run.rng.choice(REFUND_REASONS)
        await refunds.refund_order(db, run.gateway, run.events, merchant, order.id, amount, reason)


def _owner(step: Step) -> str:
    return next(s.email for s in SHOPS if s.code == step.buy.way.shop)


STEPS: dict[str, Callable[[_Run, Step], Awaitable[None]]] = {"buy": _buy, "ship": _ship, "refund": _refund}
