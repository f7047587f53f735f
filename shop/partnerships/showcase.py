"""A creator's showcase: the products they recommend, on their profile's Showcase tab.

What may go in is the one selling rule, `rights.not_sellable_by`. It is asked again on every
public read, so a product closed for collaboration (or archived, or from a suspended shop) drops
out of the listing without anyone rewriting the showcase; opened again, it comes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Role, User
from shop.catalog.models import Product
from shop.core import clock
from shop.core.errors import InvalidInput, NotFound, PermissionDenied
from shop.core.i18n import N_
from shop.core.pagination import cursor_ints, encode_cursor
from shop.partnerships import services
from shop.partnerships.models import ShowcaseItem
from shop.partnerships.rights import not_sellable_by
from shop.partnerships.services import Rates

MAX_ITEMS = 200


@dataclass(frozen=True, slots=True)
class Shown:
    item: ShowcaseItem
    product: Product
    rates: Rates | None  # of the product's open collaboration, if it has one


async def add(db: AsyncSession, creator: User, product_id: int) -> Shown:
    """Put a product in the creator's showcase (again: no change). 422 names a product they may
    not sell, or a full showcase."""
    if creator.role != Role.CREATOR:
        raise PermissionDenied("Only creators have a showcase.")
    if await not_sellable_by(db, creator, [product_id]):
        product = await db.get(Product, product_id)
        message = (
            N_(
                "“%(name)s” is not open for collaboration, so it cannot go in your showcase.",
                name=product.name,
            )
            if product
            else N_(
                "Product %(id)s is not open for collaboration, so it cannot go in your showcase.",
                id=product_id,
            )
        )
        raise InvalidInput(
            message, fields={"product_id": N_("Product %(id)s: not yours to sell.", id=product_id)}
        )
    # The creator's row lock queues two adds, so the count below holds when the row is written.
    await db.execute(update(User).where(User.id == creator.id).values(id=User.id))
    item = await db.scalar(
        select(ShowcaseItem).where(
            ShowcaseItem.creator_id == creator.id, ShowcaseItem.product_id == product_id
        )
    )
    if item is None:
        count, top = (
            await db.execute(
                select(func.count(ShowcaseItem.id), func.max(ShowcaseItem.position)).where(
                    ShowcaseItem.creator_id == creator.id
                )
            )
        ).one()
        if count >= MAX_ITEMS:
            raise InvalidInput(
                N_("A showcase holds %(n)s products: remove one first.", n=MAX_ITEMS),
                fields={"product_id": N_("Your showcase is full (%(n)s).", n=MAX_ITEMS)},
            )
        item = ShowcaseItem(
            creator_id=creator.id, product_id=product_id, added_at=clock.now(), position=(top or 0) + 1
        )
        db.add(item)
        await db.flush()
    return (await _describe(db, [item]))[0]


async def remove(db: AsyncSession, creator: User, product_id: int) -> None:
    result = await db.execute(
        delete(ShowcaseItem).where(
            ShowcaseItem.creator_id == creator.id, ShowcaseItem.product_id == product_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("This product is not in your showcase.")


async def showcase_of(
    db: AsyncSession, person: User, *, cursor: str | None, limit: int
) -> tuple[list[Shown], str | None]:
    """The public showcase, newest first: only what `person` may sell now.

    A showcase holds at most 200 rows, so all of its keys are read, filtered by the selling rule,
    then paged: every page is full, and no item is skipped or repeated.
    """
    keys = (
        await db.execute(
            select(ShowcaseItem.id, ShowcaseItem.product_id, ShowcaseItem.position)
            .where(ShowcaseItem.creator_id == person.id)
            .order_by(ShowcaseItem.position.desc(), ShowcaseItem.id.desc())
        )
    ).all()
    refused = set(await not_sellable_by(db, person, [k.product_id for k in keys]))
    visible = [k for k in keys if k.product_id not in refused]
    if (after := cursor_ints(cursor, "position", "id")) is not None:
        visible = [k for k in visible if (k.position, k.id) < after]
    page = visible[:limit]
    items = await db.scalars(select(ShowcaseItem).where(ShowcaseItem.id.in_([k.id for k in page])))
    by_id = {item.id: item for item in items}
    shown = await _describe(db, [by_id[k.id] for k in page])
    if len(visible) <= limit:
        return shown, None
    return shown, encode_cursor({"position": page[-1].position, "id": page[-1].id})


async def in_showcase(db: AsyncSession, creator_id: int, product_ids: Iterable[int]) -> set[int]:
    """Which of `product_ids` the creator shows (the marketplace's Add / In showcase buttons)."""
    ids = sorted(set(product_ids))
    if not ids:
        return set()
    rows = await db.scalars(
        select(ShowcaseItem.product_id).where(
            ShowcaseItem.creator_id == creator_id, ShowcaseItem.product_id.in_(ids)
        )
    )
    return set(rows.all())


async def _describe(db: AsyncSession, items: list[ShowcaseItem]) -> list[Shown]:
    """Each item with its product and the open collaboration's rates (in the items' order)."""
    product_ids = [item.product_id for item in items]
    products = {
        p.id: p for p in (await db.scalars(select(Product).where(Product.id.in_(product_ids)))).unique()
    }
    collaborations = await services.open_for_products(db, product_ids)
    rates = await services.rates_now(db, [c.id for c in collaborations.values()])
    return [
        Shown(
            item,
            products[item.product_id],
            rates.get(collaborations[item.product_id].id) if item.product_id in collaborations else None,
        )
        for item in items
    ]
