"""The demo's open collaborations: what creators may sell for a commission (TikTok's open plan).

Every product a creator's show puts on its shelf is open (a creator may only shelve what is theirs
to sell), plus a few more for the creators' marketplace, at rates a brand would pick.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, Role, User
from shop.catalog.models import Product
from shop.demo.plan import ProductKey
from shop.demo.shows import REPLAYS, UPCOMING
from shop.partnerships.models import Collaboration, CollaborationStatus
from shop.partnerships.schemas import CollaborationIn
from shop.partnerships.services import open_collaboration

# Also open for the marketplace, with their rates (basis points).
MARKETPLACE: dict[ProductKey, int] = {
    ("GL", "10% Niacinamide Serum"): 1500,
    ("GL", "Vitamin C Glow Drops"): 1200,
    ("TC", "Aged White Peony"): 2000,
    ("PD", "Felt Desk Mat"): 800,
}
SHELF_RATE = 1000


async def seed_collaborations(
    db: AsyncSession, users: dict[str, User], products: dict[ProductKey, int]
) -> int:
    wanted = dict.fromkeys(_creator_shelves(users), SHELF_RATE) | MARKETPLACE
    ids = {products[key]: bps for key, bps in wanted.items() if key in products}
    open_now = set(
        (
            await db.scalars(
                select(Collaboration.product_id).where(
                    Collaboration.product_id.in_(ids), Collaboration.status == CollaborationStatus.OPEN
                )
            )
        ).all()
    )
    created = 0
    for product_id, bps in sorted(ids.items()):
        if product_id in open_now:
            continue
        product = await db.get(Product, product_id)
        merchant = await db.get(Merchant, product.merchant_id) if product else None
        if merchant is not None:
            await open_collaboration(db, merchant, CollaborationIn(product_id=product_id, commission_bps=bps))
            created += 1
    await db.commit()
    return created


def _creator_shelves(users: dict[str, User]) -> list[ProductKey]:
    shows = [*REPLAYS, UPCOMING]
    return [key for show in shows if users[show.host].role != Role.MERCHANT for key in show.shelf]
