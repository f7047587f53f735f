"""Telling both sides of a deal what just happened: one in-app notification per step.

Each step (`what`) is a msgid marked with N_ where it is told: the inbox says it in the reader's language
(shop/notifications/texts.py), with the other party's name after it as they wrote it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.deals.models import Deal, Offer
from shop.notifications import texts
from shop.notifications.models import NotificationKind
from shop.notifications.services import Notifier


def offer_url(offer: Offer) -> str:
    return f"/offers/{offer.id}"


def deal_url(deal: Deal) -> str:
    return f"/deals/{deal.id}"


async def tell_creator(
    db: AsyncSession, notifier: Notifier, offer: Offer, what: str, *, actor: User | None, url: str
) -> None:
    subject = texts.deal_subject(what, offer.merchant.name)
    await notifier.notify(db, offer.creator_id, NotificationKind.DEAL, actor=actor, subject=subject, url=url)


async def tell_merchant(
    db: AsyncSession, notifier: Notifier, offer: Offer, what: str, *, actor: User | None, url: str
) -> None:
    subject = texts.deal_subject(what, offer.creator.display_name)
    owner_id = offer.merchant.owner_id
    await notifier.notify(db, owner_id, NotificationKind.DEAL, actor=actor, subject=subject, url=url)


async def tell_both(db: AsyncSession, notifier: Notifier, deal: Deal, what: str, actor: User | None) -> None:
    """A step both sides hear of (the actor, if any, is not told of their own step)."""
    url = deal_url(deal)
    await tell_creator(db, notifier, deal.offer, what, actor=actor, url=url)
    await tell_merchant(db, notifier, deal.offer, what, actor=actor, url=url)
