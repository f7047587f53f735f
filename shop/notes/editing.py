"""Writing notes: post (published or as a draft), edit, publish and delete.

`Product.note_count` counts the *published* notes that tag a product: a draft moves no counter, and
publishing, editing a published note's tags or deleting it moves each product's count once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.core import clock, search
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import N_
from shop.deals import binding, lifecycle
from shop.notes.models import Note, NoteImage, NoteStatus, NoteTopic, ProductTag, Upload
from shop.notes.rights import taggable_products_filter
from shop.notes.schemas import TOPIC_PATTERN, NoteEditIn, NoteIn, TagIn
from shop.notifications.services import Notifier

# For callers with nobody connected to hear a push (the demo seed): the inbox rows are still written.
SILENT = Notifier(lambda _data, _channels: None)


async def create_note(db: AsyncSession, author: User, data: NoteIn, notifier: Notifier | None = None) -> Note:
    declared = data.disclosure.kind if data.disclosure else None
    binding.check_declared(declared, data.deal_id)
    uploads = await _owned_uploads(db, author, [image.upload_id for image in data.images])
    products = await _taggable_products(db, author, {t.product_id for i in data.images for t in i.tags})
    note = Note(author_id=author.id, title=data.title, body=data.body, status=data.status.value)
    note.disclosure_kind = declared if declared != binding.PAID_PARTNERSHIP else None
    note.images = [
        _image_from_upload(uploads[image.upload_id], position, image.tags)
        for position, image in enumerate(data.images)
    ]
    _set_text(note, author, data.topics, products)
    if data.status is NoteStatus.PUBLISHED:
        note.published_at = clock.now()
    db.add(note)
    await db.flush()
    if data.deal_id is not None:
        await binding.attach_new_note(db, note, author, data.deal_id)
    if data.status is NoteStatus.PUBLISHED:
        await _count_notes(db, products, +1)
        await lifecycle.deliverable_went_public(db, notifier or SILENT, note.deal_id)
    return note


async def edit_note(
    db: AsyncSession, author: User, note_id: int, data: NoteEditIn, notifier: Notifier | None = None
) -> Note:
    """Replace what was sent; `status: published` publishes a draft (a published note stays so).
    A note bound to a deal keeps its paid-partnership label, and is frozen while under review."""
    note = await _lock_own_note(db, author, note_id)
    await binding.guard_note_change(db, note, deleting=False)
    if "disclosure" in data.model_fields_set:
        declared = data.disclosure.kind if data.disclosure else None
        if note.deal_id is not None and declared != binding.PAID_PARTNERSHIP:
            binding.check_declared(declared or "none", note.deal_id)
        note.disclosure_kind = declared if declared != binding.PAID_PARTNERSHIP else None
    was_published = note.status == NoteStatus.PUBLISHED.value
    before = _product_ids(note)
    if data.title is not None:
        note.title = data.title
    if data.body is not None:
        note.body = data.body
    if data.images is not None:
        await _replace_images(db, author, note, data, before)
    products = await _products(db, _product_ids(note))
    topics = data.topics if data.topics is not None else [t.topic for t in note.topics]
    _set_text(note, author, topics, products)
    if data.status == NoteStatus.PUBLISHED.value and not was_published:
        note.status, note.published_at = NoteStatus.PUBLISHED.value, clock.now()
    await db.flush()
    if was_published:
        await _count_notes(db, before - products.keys(), -1)
        await _count_notes(db, products.keys() - before, +1)
    elif note.status == NoteStatus.PUBLISHED.value:
        await _count_notes(db, products, +1)
        await lifecycle.deliverable_went_public(db, notifier or SILENT, note.deal_id)
    return note


async def delete_note(db: AsyncSession, author: User, note_id: int) -> None:
    note = await _lock_own_note(db, author, note_id)
    await binding.guard_note_change(db, note, deleting=True)
    if note.status == NoteStatus.PUBLISHED.value:
        await _count_notes(db, _product_ids(note), -1)
    await db.delete(note)
    await db.flush()


async def _lock_own_note(db: AsyncSession, author: User, note_id: int) -> Note:
    """The author's note, write-locked (`SET id = id`: a row lock on PostgreSQL, the write lock on
    SQLite) so two edits cannot both count a publish; anybody else's note is a 404."""
    locked = await db.execute(
        update(Note).where(Note.id == note_id, Note.author_id == author.id).values(id=Note.id)
    )
    if not locked.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No such note.")
    note = await db.get(Note, note_id, populate_existing=True)
    if note is None:
        raise NotFound("No such note.")
    return note


async def _replace_images(
    db: AsyncSession, author: User, note: Note, data: NoteEditIn, tagged_before: set[int]
) -> None:
    """Kept images keep their row (new tags, new place); dropped ones go (delete-orphan).

    Everything is checked before the note changes: a query would autoflush a half-made edit.
    Only newly tagged products are checked: a kept tag stays even if its product's rights lapsed.
    """
    current = {image.id: image for image in note.images}
    wanted = {tag.product_id for image in data.images or [] for tag in image.tags}
    await _taggable_products(db, author, wanted - tagged_before)
    new_ids = [i.upload_id for i in data.images or [] if i.upload_id is not None]
    uploads = await _owned_uploads(db, author, new_ids)
    images: list[NoteImage] = []
    for position, given in enumerate(data.images or []):
        if given.upload_id is not None:
            images.append(_image_from_upload(uploads[given.upload_id], position, given.tags))
            continue
        kept = current.get(int(given.image_id or 0))
        if kept is None:
            raise InvalidInput("An image is not on this note.", fields={"images": "Unknown image."})
        kept.position = position
        kept.tags = [ProductTag(product_id=t.product_id, x=t.x, y=t.y) for t in given.tags]
        images.append(kept)
    note.images = images


def _image_from_upload(upload: Upload, position: int, tags: Iterable[TagIn]) -> NoteImage:
    return NoteImage(
        key=upload.key,
        thumb_key=upload.thumb_key,
        width=upload.width,
        height=upload.height,
        position=position,
        tags=[ProductTag(product_id=tag.product_id, x=tag.x, y=tag.y) for tag in tags],
    )


def _set_text(note: Note, author: User, topics: list[str], products: dict[int, Product]) -> None:
    """Topics (given, then #tags in the body, ten at most), the product count and the search text."""
    found = [t.lower() for t in TOPIC_PATTERN.findall(note.body)]
    merged = list(dict.fromkeys([*topics, *found]))[:10]
    existing = {t.topic: t for t in note.topics}
    note.topics = [existing.get(topic) or NoteTopic(topic=topic) for topic in merged]
    note.product_count = len(products)
    note.search_text = search.normalise(
        note.title, note.body, " ".join(merged), author.display_name, *(p.name for p in products.values())
    )


def _product_ids(note: Note) -> set[int]:
    return {tag.product_id for image in note.images for tag in image.tags}


async def _count_notes(db: AsyncSession, product_ids: Iterable[int], delta: int) -> None:
    ids = sorted(product_ids)  # row locks in id order, like every other counter update
    if ids:
        await db.execute(
            update(Product).where(Product.id.in_(ids)).values(note_count=Product.note_count + delta)
        )


async def _products(db: AsyncSession, product_ids: set[int]) -> dict[int, Product]:
    if not product_ids:
        return {}
    found = await db.scalars(select(Product).where(Product.id.in_(product_ids)))
    return {p.id: p for p in found.unique()}


async def _owned_uploads(db: AsyncSession, owner: User, upload_ids: list[int]) -> dict[int, Upload]:
    if not upload_ids:
        return {}
    found = (await db.scalars(select(Upload).where(Upload.id.in_(upload_ids)))).all()
    uploads = {u.id: u for u in found if u.owner_id == owner.id}
    missing = [i for i in upload_ids if i not in uploads]
    if missing:
        raise NotFound("No such upload.", fields={"images": N_("Unknown upload %(id)s.", id=missing[0])})
    return uploads


async def _taggable_products(db: AsyncSession, author: User, product_ids: set[int]) -> dict[int, Product]:
    if not product_ids:
        return {}
    stmt = select(Product).where(Product.id.in_(product_ids), taggable_products_filter(author))
    products = {p.id: p for p in (await db.scalars(stmt)).unique()}
    missing = sorted(product_ids - products.keys())
    if missing:
        listed = ", ".join(map(str, missing))
        raise InvalidInput(
            N_("You may not tag these products: %(ids)s.", ids=listed),
            fields={"images": N_("Not yours to tag: %(ids)s.", ids=listed)},
        )
    return products
