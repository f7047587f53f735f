"""The demo's paid partnerships: Glow Lab (merchant@demo.test) and its creators, one deal in each state.

Everything goes through the services the API uses (send, accept, submit, review, cancel), so each
deal has its history and both sides' notifications. Two are published with their label showing: a
note by creator@demo.test, and her stream that is live now. creator@demo.test has an offer waiting,
and merchant@demo.test a submission to review. The offers carry commissions and samples but no flat
fee: a fee is a card payment, made in the browser by whoever tries the demo.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live import services as streams
from live.schemas import StreamIn
from shop.accounts.models import User
from shop.core import clock
from shop.deals import lifecycle, offers
from shop.deals.models import Deal, Offer
from shop.deals.schemas import OfferIn, SubmitIn
from shop.demo.plan import ProductKey
from shop.notes.models import Note, NoteStatus
from shop.notifications.services import Notifier
from shop.wiring import register_live

BRAND = "merchant@demo.test"
STAR = "creator@demo.test"
PERIODS = offers.DealPeriods(review_days=7, protection_days=30)
PARTNER_STREAM = "Morning glow with Mia, with Glow Lab"
SERUM, DROPS, MASK = (
    ("GL", "10% Niacinamide Serum"),
    ("GL", "Vitamin C Glow Drops"),
    ("GL", "Hyaluronic Sleeping Mask"),
)

BRIEFS = {
    "note": "Show the serum in your morning routine: before and after, how it layers under sunscreen.\n"
    "Tag the serum on the photo. Please mention it is fragrance-free. #glowlab",
    "stream": "A 30-minute morning routine live. Pin the drops when you apply them; "
    "run one flash sale on them within the terms below.",
}


class _Demo:
    def __init__(self, db: AsyncSession, users: dict[str, User], products: dict[ProductKey, int]) -> None:
        self.db, self.users, self.products = db, users, products
        self.quiet = Notifier(lambda _data, _channels: None)
        self.brand = users[BRAND]
        assert self.brand.merchant is not None

    async def offer(self, creator: str, deliverable: str = "note", **terms: object) -> Offer:
        data = OfferIn.model_validate(
            {
                "creator_id": self.users[creator].id,
                "product_ids": [self.products[SERUM], self.products[DROPS]],
                "deliverable": deliverable,
                "brief": BRIEFS[deliverable],
                "due_at": clock.now() + timedelta(days=12),
                "commission_bps": 1500,
                "samples": True,
                **terms,
            }
        )
        assert self.brand.merchant is not None
        return await offers.send_offer(self.db, self.quiet, self.brand.merchant, data, expiry_days=7)

    async def deal(self, creator: str, deliverable: str = "note", **terms: object) -> Deal:
        offer = await self.offer(creator, deliverable, **terms)
        _, deal = await offers.accept(self.db, self.quiet, self.users[creator], offer.id, PERIODS)
        return deal

    async def submit_note(self, deal: Deal, creator: str) -> None:
        note = await self._free_note(self.users[creator])
        await lifecycle.submit(self.db, self.quiet, self.users[creator], deal.id, SubmitIn(note_id=note.id))

    async def approve(self, deal: Deal) -> None:
        assert self.brand.merchant is not None
        locked = await lifecycle.merchants_deal(self.db, self.brand.merchant, deal.id)
        await lifecycle.approve(self.db, self.quiet, self.brand.merchant, locked)

    async def _free_note(self, author: User) -> Note:
        stmt = (
            select(Note)
            .where(Note.author_id == author.id, Note.deal_id.is_(None), Note.status == NoteStatus.PUBLISHED)
            .order_by(Note.id.desc())
        )
        note = (await self.db.scalars(stmt.limit(1))).first()
        assert note is not None, f"{author.email} has no published note to bind"
        return note


async def seed_deals(db: AsyncSession, users: dict[str, User], products: dict[ProductKey, int]) -> int:
    """Once: a demo database that has offers already keeps them (they have moved on since)."""
    register_live()
    brand = users[BRAND].merchant
    if brand is None or await db.scalar(select(Offer.id).where(Offer.merchant_id == brand.id).limit(1)):
        return 0
    demo = _Demo(db, users, products)
    await _published(demo)
    await _in_progress(demo)
    await _ended(demo)
    await db.commit()
    return 12


async def _published(demo: _Demo) -> None:
    """The two labelled ones: a note in the feed, and the stream on air now."""
    note_deal = await demo.deal(STAR)
    await demo.submit_note(note_deal, STAR)
    await demo.approve(note_deal)
    terms = {
        "live_flash_sale": {
            "max_quantity": 20,
            "min_price": {"amount": 1500, "currency": "USD"},
            "per_customer_limit": 2,
        }
    }
    stream_deal = await demo.deal(STAR, "stream", **terms)
    star = demo.users[STAR]
    stream = await streams.create_stream(
        demo.db, star, StreamIn(title=PARTNER_STREAM, deal_id=stream_deal.id)
    )
    await streams.set_shelf(
        demo.db, star, stream, [demo.products[SERUM], demo.products[DROPS], demo.products[MASK]]
    )
    await streams.go_live(demo.db, demo.quiet, stream)
    await lifecycle.submit(demo.db, demo.quiet, star, stream_deal.id, SubmitIn(stream_id=stream.id))
    await demo.approve(stream_deal)


async def _in_progress(demo: _Demo) -> None:
    await demo.offer(STAR, commission_bps=2000)  # waiting for creator@demo.test to answer
    review = await demo.deal("sora.glow@demo.test")
    await demo.submit_note(review, "sora.glow@demo.test")  # waiting for merchant@demo.test's review
    await demo.deal("ivy.daily@demo.test")  # active: the note is being written
    changes = await demo.deal("june.brews@demo.test")
    await demo.submit_note(changes, "june.brews@demo.test")
    assert demo.brand.merchant is not None
    await lifecycle.request_changes(
        demo.db,
        demo.quiet,
        demo.brand.merchant,
        changes.id,
        "Lovely! Could the first photo show the bottle's label?",
    )
    approved = await demo.deal("kai.desk@demo.test", "stream")
    kai = demo.users["kai.desk@demo.test"]
    later = clock.now() + timedelta(days=3)
    scheduled = await streams.create_stream(
        demo.db,
        kai,
        StreamIn(title="Desk & skin: a calm workday routine", scheduled_at=later, deal_id=approved.id),
    )
    await lifecycle.submit(demo.db, demo.quiet, kai, approved.id, SubmitIn(stream_id=scheduled.id))
    await demo.approve(approved)  # approved: published when Kai goes live


async def _ended(demo: _Demo) -> None:
    done = await demo.deal("noah.outside@demo.test")
    await demo.submit_note(done, "noah.outside@demo.test")
    await demo.approve(done)
    done.protected_until = clock.now()  # its protection ran out: the job would complete it now
    await lifecycle.complete(demo.db, done)
    late = await demo.deal("lena.hikes@demo.test")
    await lifecycle.expire(demo.db, demo.quiet, late)
    both = await demo.deal("ivy.daily@demo.test")
    await lifecycle.cancel(demo.db, demo.quiet, demo.brand, both.id, "Our launch moved to next season.")
    await lifecycle.cancel(demo.db, demo.quiet, demo.users["ivy.daily@demo.test"], both.id, "Understood!")
    fight = await demo.deal("sora.glow@demo.test")
    sora = demo.users["sora.glow@demo.test"]
    await lifecycle.cancel(demo.db, demo.quiet, sora, fight.id, "The samples never arrived.")
