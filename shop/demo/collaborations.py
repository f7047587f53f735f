"""The demo's open collaborations: what creators may sell for a commission (TikTok's open plan).

Every product a creator's show puts on its shelf is open (a creator may only shelve what is theirs
to sell), plus a few more for the creators' marketplace, at rates a brand would pick. Products get
their marketplace category, the demo creator a showcase, and one brand announces a rate cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant, Role, User
from shop.catalog.models import Product, ProductCategory
from shop.core import clock
from shop.demo.plan import ProductKey
from shop.demo.shows import REPLAYS, UPCOMING
from shop.notifications.services import Notifier
from shop.partnerships import showcase
from shop.partnerships.models import Collaboration, CollaborationRate, CollaborationStatus
from shop.partnerships.schemas import CollaborationIn
from shop.partnerships.services import change_rate, open_collaboration

# Also open for the marketplace, with their rates (basis points).
MARKETPLACE: dict[ProductKey, int] = {
    ("GL", "10% Niacinamide Serum"): 1500,
    ("GL", "Vitamin C Glow Drops"): 1200,
    ("TC", "Aged White Peony"): 2000,
    ("PD", "Felt Desk Mat"): 800,
}
SHELF_RATE = 1000
OPENED_BEFORE = timedelta(days=45)
# Glow Lab trims one rate: the marketplace shows "drops to 9% on …" (announced once, on the first run).
CUT: tuple[ProductKey, int] = (("GL", "Vitamin C Glow Drops"), 900)
SHOWCASE_OWNER = "creator@demo.test"

# Each shop's products sit in its category, but for the ones named here.
SHOP_CATEGORY = {
    "GL": ProductCategory.BEAUTY,
    "TC": ProductCategory.FOOD,
    "TT": ProductCategory.SPORTS,
    "PD": ProductCategory.TECH,
}
HOME_GOODS = (
    "Speckled Stoneware Mug",
    "Hand-thrown Teapot",
    "Gongfu Cup Set",
    "Matcha Bowl",
    "Glass Cold-brew Bottle",
    "Ceramic Incense Holder",
    "Travel Tea Tumbler",
    "Walnut Monitor Riser",
    "Felt Desk Mat",
    "Faux Desk Plant",
    "Dot Grid Notebook A5",
)
CATEGORY_OF = dict.fromkeys(HOME_GOODS, ProductCategory.HOME) | {
    "Canvas Market Tote": ProductCategory.FASHION,
    "Alpine Beanie": ProductCategory.FASHION,
    "Trail Runner Cap": ProductCategory.FASHION,
}


async def seed_collaborations(
    db: AsyncSession,
    users: dict[str, User],
    products: dict[ProductKey, int],
    tagged: Iterable[ProductKey] = (),
) -> int:
    """`tagged`: what the demo's notes tag. A note may only tag what its author may sell, so every
    product a demo note shows is open for collaboration before the notes are written."""
    wanted = dict.fromkeys([*tagged, *_creator_shelves(users)], SHELF_RATE) | MARKETPLACE
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
    # Opened before the demo's month of orders (`orders.py`), so those earn their creators these
    # rates: a commission is owed only on an order placed while the collaboration was open.
    clock.advance(-OPENED_BEFORE)
    try:
        for product_id, bps in sorted(ids.items()):
            if product_id in open_now:
                continue
            product = await db.get(Product, product_id)
            merchant = await db.get(Merchant, product.merchant_id) if product else None
            if merchant is not None:
                data = CollaborationIn(product_id=product_id, commission_bps=bps)
                await open_collaboration(db, merchant, data)
                created += 1
    finally:
        clock.advance(OPENED_BEFORE)
    await _categorise(db, products)
    created += await _fill_showcase(
        db, users[SHOWCASE_OWNER], [products[k] for k in MARKETPLACE if k in products]
    )
    await _announce_cut(db, products)
    await db.commit()
    return created


async def _categorise(db: AsyncSession, products: dict[ProductKey, int]) -> None:
    """Products made before categories existed (an older demo database) get theirs too."""
    for (shop, name), product_id in products.items():
        category = CATEGORY_OF.get(name) or SHOP_CATEGORY.get(shop, ProductCategory.OTHER)
        await db.execute(
            update(Product)
            .where(Product.id == product_id, Product.category == ProductCategory.OTHER.value)
            .values(category=category.value)
        )


async def _fill_showcase(db: AsyncSession, creator: User, product_ids: list[int]) -> int:
    shown = await showcase.in_showcase(db, creator.id, product_ids)
    for product_id in product_ids:
        if product_id not in shown:
            await showcase.add(db, creator, product_id)
    return len(set(product_ids) - shown)


async def _announce_cut(db: AsyncSession, products: dict[ProductKey, int]) -> None:
    key, bps = CUT
    row = await db.scalar(
        select(Collaboration).where(
            Collaboration.product_id == products.get(key, 0), Collaboration.status == CollaborationStatus.OPEN
        )
    )
    if row is None:
        return
    history = await db.scalar(
        select(func.count(CollaborationRate.id)).where(CollaborationRate.collaboration_id == row.id)
    )
    merchant = await db.get(Merchant, row.merchant_id)
    if history == 1 and merchant is not None:
        quiet = Notifier(lambda _data, _channels: None)  # nothing listens while the demo seeds
        await change_rate(db, merchant, row.id, bps, notice=timedelta(days=2), notifier=quiet)


def _creator_shelves(users: dict[str, User]) -> list[ProductKey]:
    shows = [*REPLAYS, UPCOMING]
    return [key for show in shows if users[show.host].role != Role.MERCHANT for key in show.shelf]
