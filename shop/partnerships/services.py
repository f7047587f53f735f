"""Open collaborations: a merchant opens its own product to every creator at a commission rate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.catalog.models import Product
from shop.catalog.services import get_own_product
from shop.core import clock, search
from shop.core.db import keyset_page
from shop.core.errors import AlreadyExists, NotFound
from shop.partnerships.models import Collaboration, CollaborationStatus
from shop.partnerships.schemas import CollaborationIn


async def open_collaboration(db: AsyncSession, merchant: Merchant, data: CollaborationIn) -> Collaboration:
    product = await get_own_product(db, merchant, data.product_id)  # another shop's product: 404
    if not product.is_active:
        raise NotFound("No such product.")
    row = Collaboration(product_id=product.id, merchant_id=merchant.id, commission_bps=data.commission_bps)
    db.add(row)
    try:
        await db.flush()
    except IntegrityError:  # the partial unique index: one open collaboration per product
        raise AlreadyExists(
            "This product is already open for collaboration.", fields={"product_id": "Already open."}
        ) from None
    return row


async def close_collaboration(db: AsyncSession, merchant: Merchant, collaboration_id: int) -> Collaboration:
    row = await db.get(Collaboration, collaboration_id)
    if row is None or row.merchant_id != merchant.id:
        raise NotFound("No such collaboration.")
    if row.status == CollaborationStatus.OPEN:
        row.status, row.closed_at = CollaborationStatus.CLOSED.value, clock.now()
        await db.flush()
    return row


async def open_collaborations(
    db: AsyncSession, *, q: str | None, min_bps: int | None, cursor: str | None, limit: int
) -> tuple[Sequence[Collaboration], str | None]:
    """The creators' marketplace: open collaborations on active products, newest first."""
    stmt: Select[Collaboration] = (
        select(Collaboration)
        .join(Product, Product.id == Collaboration.product_id)
        .where(Collaboration.status == CollaborationStatus.OPEN, Product.is_active.is_(True))
    )
    if min_bps is not None:
        stmt = stmt.where(Collaboration.commission_bps >= min_bps)
    if (condition := search.matches_all(Product.search_text, q)) is not None:
        stmt = stmt.where(condition)
    return await keyset_page(db, stmt, Collaboration.id, cursor=cursor, limit=limit)
