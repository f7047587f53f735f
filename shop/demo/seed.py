"""`python -m shop seed`: write the demo dataset through the project's own services.

Going through `register`, `create_product`, `create_note`, `add_comment`, `set_reaction` and
`set_follow` (rather than inserting rows) keeps the stock ledger, counters and search text right.
Every object is looked up by a natural key first (email, shop + product name, author + note title),
so a second run creates nothing and a run that died half-way picks up where it stopped. A note and
its comments, likes and saves are written in one transaction, so they appear together or not at all.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import Merchant, Role, User
from shop.accounts.schemas import RegisterIn
from shop.accounts.services import is_following, register, set_follow
from shop.addresses.schemas import NewAddressIn
from shop.addresses.services import add_address, default_address
from shop.catalog.models import Product
from shop.catalog.schemas import MoneyIn, ProductIn, VariantIn
from shop.catalog.services import create_product
from shop.core.db import build_engine
from shop.core.storage import ImageStore
from shop.demo.collaborations import seed_collaborations
from shop.demo.content import ADDRESSES, CREATORS, PASSWORD, SHOPPERS, SHOPS
from shop.demo.deals import seed_deals
from shop.demo.engagement import seed_engagement
from shop.demo.guides import GUIDE_CREATORS
from shop.demo.images import note_image, product_images
from shop.demo.live import seed_live
from shop.demo.orders import seed_orders
from shop.demo.plan import NotePlan, Plan, ProductKey, ProductPlan, build_plan
from shop.demo.video import seed_video
from shop.notes.editing import create_note
from shop.notes.models import Note
from shop.notes.schemas import CommentIn, NoteImageIn, NoteIn, TagIn
from shop.notes.services import add_comment, set_reaction, store_upload
from shop.notifications.services import Notifier
from shop.operators.commands import add_operator
from shop.settings import Settings

COMMIT_EVERY = 10
Picture = tuple[bytes, list[tuple[float, float]]]


@dataclass
class _Run:
    db: AsyncSession
    store: ImageStore
    # Drawing is CPU-bound Pillow work that mostly releases the GIL: render ahead in threads
    # while the event loop talks to the database.
    pool: ThreadPoolExecutor
    users: dict[str, User] = field(default_factory=dict)
    # The same services the app uses fill the demo inboxes; nobody is connected to hear the push.
    notifier: Notifier = field(default_factory=lambda: Notifier(lambda _data, _channels: None))
    products: dict[ProductKey, int] = field(default_factory=dict)
    created: int = 0


# Runs the platform: settles disputes, verifies and suspends shops (/operator).
OPERATOR = "operator@demo.test"


async def seed(settings: Settings, *, with_notes: bool = True) -> None:
    """`with_notes=False` seeds everything but the notes (drawing them is most of the time)."""
    started = time.perf_counter()
    plan = build_plan()
    store = ImageStore(settings.media_dir, settings.upload_max_bytes, settings.upload_max_pixels)
    engine = build_engine(settings)
    pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2))
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            run = _Run(db, store, pool)
            await _seed_accounts(run)
            products = await _missing_products(run, plan)
            notes = await _missing_notes(run, plan) if with_notes else []
            kept_products = len(plan.products) - len(products)
            kept_notes = len(plan.notes) - len(notes) if with_notes else 0
            if kept_products or kept_notes:
                _say(f"reusing {kept_products} products and {kept_notes} notes from an earlier run")
            # Queue every picture now so drawing overlaps with all the database work below.
            product_renders = [pool.submit(_render_product, p) for p in products]
            note_renders = [pool.submit(_render_note, n) for n in notes]
            await _seed_catalog(run, products, product_renders)
            tagged = {key for n in plan.notes for image in n.images for key in image.products}
            run.created += await seed_collaborations(run.db, run.users, run.products, tagged)
            await _seed_notes(run, notes, note_renders)
            await _seed_social(run, plan)
            await _seed_live(run, settings, with_deals=with_notes)
            run.created += await seed_orders(run.db, settings, _say)  # needs the local Stripe server
            run.created += await seed_engagement(run.db, _say)
            if run.created:
                _say(f"done, {run.created} objects in {time.perf_counter() - started:.1f}s")
            else:
                _say("demo data already present")
    finally:
        pool.shutdown(cancel_futures=True)
        await engine.dispose()


def _say(message: str) -> None:
    print(f"seeding: {message}", flush=True)


async def _seed_accounts(run: _Run) -> None:
    people = [
        *(
            (s.email, s.owner_name, Role.MERCHANT, f"Official {s.shop_name} shop.", s.shop_name)
            for s in SHOPS
        ),
        *((p.email, p.name, Role(p.role), p.bio, None) for p in (*CREATORS, *GUIDE_CREATORS, *SHOPPERS)),
    ]
    for email, name, role, bio, shop_name in people:
        run.users[email] = await _ensure_user(run, email, name, role, bio, shop_name)
    for shopper in SHOPPERS:
        await _ensure_address(run, run.users[shopper.email], shopper.name)
    if await run.db.scalar(select(User.id).where(User.email == OPERATOR)) is None:
        # The way every operator is made (`python -m shop operator add`), with the demo password.
        run.users[OPERATOR] = (await add_operator(run.db, OPERATOR, PASSWORD)).user
        run.created += 1
    await run.db.commit()
    _say(f"{len(people) + 1} accounts")


async def _ensure_user(run: _Run, email: str, name: str, role: Role, bio: str, shop_name: str | None) -> User:
    user = await run.db.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    user = await register(
        run.db,
        RegisterIn(email=email, password=PASSWORD, display_name=name, role=role, shop_name=shop_name),
    )
    # Registration takes no bio; setting the column is all a profile edit would do.
    user.bio = bio
    await run.db.flush()
    run.created += 1
    return user


async def _ensure_address(run: _Run, user: User, name: str) -> None:
    """A shopper's default address, so checkout is filled in from the first visit (and the seeded
    orders ship somewhere)."""
    if await default_address(run.db, user) is None:
        line1, line2, city, region, postal_code = ADDRESSES[user.email]
        place = {"line1": line1, "line2": line2, "city": city, "region": region, "postal_code": postal_code}
        await add_address(run.db, user, NewAddressIn(name=name, **place, country="US", default=True))
        run.created += 1


def _merchant_of(run: _Run, product: ProductPlan) -> tuple[User, Merchant]:
    owner = run.users[product.shop.email]
    if owner.merchant is None:
        raise RuntimeError(f"{owner.email} exists but owns no shop; cannot seed its products")
    return owner, owner.merchant


async def _missing_products(run: _Run, plan: Plan) -> list[ProductPlan]:
    rows = await run.db.execute(select(Product.merchant_id, Product.name, Product.id))
    existing = {(merchant_id, name): pid for merchant_id, name, pid in rows.all()}
    missing = []
    for product in plan.products:
        found = existing.get((_merchant_of(run, product)[1].id, product.spec.name))
        if found is None:
            missing.append(product)
        else:
            run.products[product.key] = found
    return missing


async def _seed_catalog(run: _Run, todo: list[ProductPlan], renders: list[Future[list[bytes]]]) -> None:
    for done, (product, render) in enumerate(zip(todo, renders, strict=True), 1):
        run.products[product.key] = await _create_product(run, product, render)
        if done % COMMIT_EVERY == 0 or done == len(todo):
            await run.db.commit()
            _say(f"{done}/{len(todo)} products")
    run.created += len(todo)


def _render_product(product: ProductPlan) -> list[bytes]:
    return product_images(
        product.spec.name,
        product.shop.shop_name,
        product.look,
        product.shop.backdrop,
        product.swatches,
        product.seed,
        product.image_count,
    )


async def _create_product(run: _Run, product: ProductPlan, render: Future[list[bytes]]) -> int:
    owner, merchant = _merchant_of(run, product)
    uploads = [
        await store_upload(run.db, run.store, owner, data) for data in await asyncio.wrap_future(render)
    ]
    variants = [
        VariantIn(
            sku=v.sku,
            name=v.name,
            options=v.options,
            stock_on_hand=v.stock,
            price=MoneyIn(amount=v.price, currency="USD"),
        )
        for v in product.variants
    ]
    data = ProductIn(
        name=product.spec.name,
        description=product.spec.description,
        image_upload_ids=[u.id for u in uploads],
        variants=variants,
    )
    return (await create_product(run.db, merchant, owner, data)).id


async def _missing_notes(run: _Run, plan: Plan) -> list[NotePlan]:
    author_ids = [user.id for user in run.users.values()]
    rows = await run.db.execute(select(Note.author_id, Note.title).where(Note.author_id.in_(author_ids)))
    existing = set(rows.all())
    return [n for n in plan.notes if (run.users[n.author].id, n.title) not in existing]


async def _seed_notes(run: _Run, todo: list[NotePlan], renders: list[Future[list[Picture]]]) -> None:
    now = datetime.now(UTC)
    for done, (planned, render) in enumerate(zip(todo, renders, strict=True), 1):
        note = await _create_note(run, planned, await asyncio.wrap_future(render))
        posted = now - timedelta(hours=planned.age_hours)
        # Backdated so the feed reads like weeks of activity rather than one burst.
        note.created_at = posted
        await _seed_note_activity(run, planned, note, posted)
        if done % COMMIT_EVERY == 0 or done == len(todo):
            await run.db.commit()
            _say(f"{done}/{len(todo)} notes")
    run.created += len(todo)


def _render_note(note: NotePlan) -> list[Picture]:
    return [note_image(image.scene) for image in note.images]


async def _create_note(run: _Run, planned: NotePlan, pictures: list[Picture]) -> Note:
    author = run.users[planned.author]
    images = []
    for image, (data, centres) in zip(planned.images, pictures, strict=True):
        upload = await store_upload(run.db, run.store, author, data)
        # Tags sit on the drawn silhouettes, which `note_image` reports in the same order.
        tags = [
            TagIn(product_id=run.products[key], x=x, y=y)
            for key, (x, y) in zip(image.products, centres, strict=True)
        ]
        images.append(NoteImageIn(upload_id=upload.id, tags=tags))
    return await create_note(run.db, author, NoteIn(title=planned.title, body=planned.body, images=images))


async def _seed_note_activity(run: _Run, planned: NotePlan, note: Note, posted: datetime) -> None:
    author = run.users[planned.author]
    for comment_plan in planned.comments:
        when = posted + timedelta(minutes=comment_plan.minutes_after)
        comment = await add_comment(
            run.db, run.users[comment_plan.author], note.id, CommentIn(body=comment_plan.body), run.notifier
        )
        comment.created_at = when
        if comment_plan.reply:
            answer = CommentIn(body=comment_plan.reply, parent_id=comment.id)
            reply = await add_comment(run.db, author, note.id, answer, run.notifier)
            reply.created_at = when + timedelta(minutes=37)
    for email in planned.likers:
        await set_reaction(run.db, run.users[email], note.id, kind="like", on=True, notifier=run.notifier)
    for email in planned.savers:
        await set_reaction(run.db, run.users[email], note.id, kind="save", on=True)


async def _seed_social(run: _Run, plan: Plan) -> None:
    added = 0
    for follower_email, followee_email in plan.follows:
        follower, followee = run.users[follower_email], run.users[followee_email]
        if not await is_following(run.db, follower, followee.id):
            await set_follow(run.db, follower, followee.id, on=True, notifier=run.notifier)
            added += 1
    await run.db.commit()
    run.created += added
    _say(f"{len(plan.follows)} follows")


async def _seed_live(run: _Run, settings: Settings, *, with_deals: bool) -> None:
    hold_seconds = settings.hold_minutes * 60
    run.created += await seed_live(run.db, run.users, run.products, hold_seconds=hold_seconds, say=_say)
    run.created += await seed_video(run.db, settings.media_dir, _say)
    if with_deals:  # deals bind the creators' notes
        made = await seed_deals(run.db, run.users, run.products)
        run.created += made
        _say(f"{made} partnership offers and deals" if made else "partnerships already seeded")
