"""What the inbox hears from orders: a refund, a parcel on its way. Orders know nothing of this."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shop.core.money import format_money
from shop.notifications import texts
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier
from shop.orders.events import OrderEvent, OrderEvents, OrderNews


def listen_to_orders(events: OrderEvents, notifier: Notifier) -> None:
    async def refunded(db: AsyncSession, news: OrderNews) -> None:
        amount = format_money(news.amount, news.order.currency)
        subject = texts.subject("refund", amount=amount, order=news.order.id)
        await notifier.notify(
            db, news.order.user_id, NotificationKind.REFUND, subject=subject, url=_url(news)
        )

    async def fulfilled(db: AsyncSession, news: OrderNews) -> None:
        subject = texts.subject("shipped", order=news.order.id)
        await notifier.notify(
            db, news.order.user_id, NotificationKind.SHIPPED, subject=subject, url=_url(news)
        )

    events.on(OrderEvent.REFUNDED, "notify_buyer", refunded)
    events.on(OrderEvent.FULFILLED, "notify_buyer", fulfilled)


def _url(news: OrderNews) -> str:
    return f"/orders/{news.order.id}"
