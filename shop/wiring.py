"""The composition root's wiring of events: who hears what orders and Stripe announce.

Part of the root (`shop.app` builds one of each per app); it may import `live`, like `shop.app`.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import audit as flash_audit
from live.flash_sales import checkout as flash_checkout
from live.flash_sales.gate import Gate, MemoryGate, RedisGate
from live.partnership import LiveStreams
from live.translation import chat_lines
from payments import webhooks
from payments.gateway import Charge, Intent, Transfer
from shop import streams
from shop.audit import checks as audit_checks
from shop.commissions import ledger as commission_ledger
from shop.core import redis
from shop.dashboard import sales as dashboard_sales
from shop.deals.offers import offer_fee_paid
from shop.notifications.listeners import listen_to_orders
from shop.notifications.services import Notifier
from shop.orders import settlement
from shop.orders.events import OrderEvents
from shop.orders.stripe_refunds import apply_charge_refunds
from shop.payouts import accounts as payout_accounts
from shop.payouts import clawbacks
from shop.payouts import sending as payout_sending
from shop.settings import Settings
from shop.translate import sources as translate_sources

log = logging.getLogger("zhongcao.payouts")


def register_live() -> None:
    """`shop` asks `live` about streams through `shop.streams`; the root introduces them. Called by
    everything that runs deals or checkouts: the app, the jobs command and the demo seed. The audit's
    flash-sale books (I2) read live's tables, so live answers that check too, and live reads the
    chat lines a viewer has translated."""
    streams.register(LiveStreams())
    audit_checks.register_flash_sale_books(flash_audit.flash_sale_books)
    translate_sources.register("chat", chat_lines)


def build_order_events(gate: Gate, notifier: Notifier, settings: Settings) -> OrderEvents:
    """Who hears what orders announce: the flash-sale books guard delivery; the commission ledger
    credits, adjusts and opens return windows (before payouts and the dashboard's sales rollups,
    which read it); the inbox listens."""
    events = OrderEvents()
    events.guard_delivery("flash_sale_holds", flash_checkout.settle_paid_holds(gate))
    commission_ledger.listen_to_orders(events, settings.return_window_days)
    dashboard_sales.listen_to_orders(events)  # after the ledger: it reads the lines' creator
    clawbacks.listen_to_orders(events, settings.platform_fee_bps)
    listen_to_orders(events, notifier)
    return events


def offline_order_events(settings: Settings) -> OrderEvents:
    """The same listeners for a command run outside the app (`python -m shop reconcile`); the
    inbox rows are written, and nobody is connected to hear a push."""
    redis_client = redis.connect(settings.redis_url) if settings.redis_url else None
    gate: Gate = RedisGate(redis_client, settings.redis_prefix) if redis_client else MemoryGate()
    return build_order_events(gate, Notifier(lambda _data, _channels: None), settings)


async def transfer_news(db: AsyncSession, transfer: Transfer) -> bool:
    """Our own transfers' echoes; one we never asked for is logged for an operator, not acted on."""
    if not await payout_sending.is_ours(db, transfer.id):
        log.warning("transfer webhook for %s, which no settlement run made", transfer.id)
    return True


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
    handlers.on_account("account.updated", payout_accounts.account_updated)
    for event_type in ("transfer.created", "transfer.reversed"):
        handlers.on_transfer(event_type, transfer_news)
    return handlers
