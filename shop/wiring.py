"""The composition root's wiring of events: who hears what orders and Stripe announce.

Part of the root (`shop.app` builds one of each per app); it may import `live`, like `shop.app`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import checkout as flash_checkout
from live.flash_sales.gate import Gate, MemoryGate, RedisGate
from live.partnership import LiveDeliverables
from payments import webhooks
from payments.gateway import Charge, Intent
from shop.core import redis
from shop.deals import binding
from shop.deals.offers import offer_fee_paid
from shop.notifications.listeners import listen_to_orders
from shop.notifications.services import Notifier
from shop.orders import settlement
from shop.orders.events import OrderEvents
from shop.orders.stripe_refunds import apply_charge_refunds
from shop.settings import Settings


def register_deliverables() -> None:
    """Streams are deal deliverables; `shop` cannot import `live`, so the root introduces them.
    Called by everything that runs deals: the app, the jobs command and the demo seed."""
    binding.register_streams(LiveDeliverables())


def build_order_events(gate: Gate, notifier: Notifier) -> OrderEvents:
    """Who hears what orders announce: the flash-sale books guard delivery, the inbox listens."""
    events = OrderEvents()
    events.guard_delivery("flash_sale_holds", flash_checkout.settle_paid_holds(gate))
    listen_to_orders(events, notifier)
    return events


def offline_order_events(settings: Settings) -> OrderEvents:
    """The same listeners for a command run outside the app (`python -m shop reconcile`); the
    inbox rows are written, and nobody is connected to hear a push."""
    redis_client = redis.connect(settings.redis_url) if settings.redis_url else None
    gate: Gate = RedisGate(redis_client, settings.redis_prefix) if redis_client else MemoryGate()
    return build_order_events(gate, Notifier(lambda _data, _channels: None))


def webhook_handlers(events: OrderEvents, notifier: Notifier) -> webhooks.WebhookHandlers:
    """What Stripe's events do here: each is handed the object fetched from Stripe just now."""
    handlers = webhooks.WebhookHandlers()

    async def apply(db: AsyncSession, intent: Intent) -> bool:
        if "offer_id" in intent.metadata:  # an offer's flat fee, not an order
            return await offer_fee_paid(db, notifier, intent)
        return await settlement.apply_intent(db, events, intent) is not None

    async def refunded_outside(db: AsyncSession, charge: Charge) -> bool:
        return await apply_charge_refunds(db, events, charge)

    for event_type in (
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    ):
        handlers.on_intent(event_type, apply)
    handlers.on_charge("charge.refunded", refunded_outside)
    return handlers
