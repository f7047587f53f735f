from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import Merchant
from shop.core.db import MINOR_UNITS, Base
from shop.core.i18n import N_


class ProductCategory(enum.StrEnum):
    """The fixed shelves of the creators' marketplace (a product sits on exactly one)."""

    BEAUTY = "beauty"
    FASHION = "fashion"
    FOOD = "food"
    HOME = "home"
    TECH = "tech"
    SPORTS = "sports"
    KIDS = "kids"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    ProductCategory.BEAUTY: "Beauty",
    ProductCategory.FASHION: "Fashion",
    ProductCategory.FOOD: "Food & drink",
    ProductCategory.HOME: "Home",
    ProductCategory.TECH: "Tech",
    ProductCategory.SPORTS: "Sports & outdoors",
    ProductCategory.KIDS: "Kids",
    ProductCategory.OTHER: "Other",
}


class Product(Base):
    __tablename__ = "products"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Lower-cased name, description and SKUs: what the text search matches against.
    search_text: Mapped[str] = mapped_column(Text, default="")
    note_count: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(
        String(24), default=ProductCategory.OTHER.value, server_default=ProductCategory.OTHER.value
    )

    merchant: Mapped[Merchant] = relationship(Merchant, lazy="joined")
    images: Mapped[list[ProductImage]] = relationship(
        "ProductImage", order_by="ProductImage.position", lazy="selectin", cascade="all, delete-orphan"
    )
    variants: Mapped[list[Variant]] = relationship(
        "Variant", order_by="Variant.id", lazy="selectin", back_populates="product"
    )

    __table_args__ = (
        CheckConstraint(
            "category in (" + ",".join(f"'{c.value}'" for c in ProductCategory) + ")", name="category"
        ),
    )


class ProductImage(Base):
    __tablename__ = "product_images"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    thumb_key: Mapped[str] = mapped_column(String(120))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)


class Variant(Base):
    __tablename__ = "variants"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price_amount: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    # "Low stock" once available units (on hand - live holds) are at or below this; 0: never low,
    # only out of stock. Set on the dashboard's product form (migration 0019).
    low_stock_threshold: Mapped[int] = mapped_column(default=0, server_default="0")

    product: Mapped[Product] = relationship(Product, back_populates="variants", lazy="joined")

    @property
    def available(self) -> int:
        """Units a shopper may put in a cart. Checkout holds will be subtracted here."""
        return self.stock_on_hand

    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="stock_nonneg"),
        CheckConstraint("price_amount >= 0", name="price_nonneg"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_nonneg"),
    )


class StockReason(enum.StrEnum):
    """Why stock moved: every `stock_movements` row says one of these (a plain string column, so a
    new reason needs no migration). The merchant picks from `MERCHANT_REASONS` on the dashboard."""

    INITIAL = "initial"  # the level a variant was created with
    ADJUSTMENT = "adjustment"  # a merchant's count through the product API (PATCH stock_on_hand)
    SALE = "sale"  # a paid order took it
    FLASH_SALE = "flash_sale"  # allocated to a flash sale at launch
    FLASH_SALE_RETURN = "flash_sale_return"  # a closed sale's unsold allocation came back
    RESTOCK = "restock"  # goods received (only up)
    RETURN = "return"  # a customer's return put back on the shelf (only up)
    DAMAGE = "damage"  # damaged, lost or stolen (only down)
    CORRECTION = "correction"  # fixing an earlier mistake (either way)
    COUNT = "count"  # a stocktake: the level counted on the shelf (either way)
    IMPORT = "import"  # a CSV import of stock levels (either way)

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]

    @property
    def direction(self) -> int:
        """+1: the reason only adds stock, -1: only takes it, 0: either way."""
        return _REASON_DIRECTIONS.get(self, 0)


# English, as the API and exports give them; pages say them in the reader's language (`| t`).
_REASON_LABELS = {
    StockReason.INITIAL: N_("Initial stock"),
    StockReason.ADJUSTMENT: N_("Adjustment"),
    StockReason.SALE: N_("Sale"),
    StockReason.FLASH_SALE: N_("Flash sale allocation"),
    StockReason.FLASH_SALE_RETURN: N_("Flash sale return"),
    StockReason.RESTOCK: N_("Restock"),
    StockReason.RETURN: N_("Customer return"),
    StockReason.DAMAGE: N_("Damaged or lost"),
    StockReason.CORRECTION: N_("Correction"),
    StockReason.COUNT: N_("Stock count"),
    StockReason.IMPORT: N_("CSV import"),
}
_REASON_DIRECTIONS = {
    StockReason.RESTOCK: 1,
    StockReason.RETURN: 1,
    StockReason.DAMAGE: -1,
}
# What a merchant may say when adjusting by hand (the rest are written by the system).
MERCHANT_REASONS = (
    StockReason.RESTOCK,
    StockReason.RETURN,
    StockReason.DAMAGE,
    StockReason.CORRECTION,
    StockReason.COUNT,
)


class StockMovement(Base):
    """Append-only ledger: every change of `stock_on_hand` writes one row with the new balance."""

    __tablename__ = "stock_movements"

    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    delta: Mapped[int]
    balance_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # The merchant's own words beside the reason ("Box 4 crushed in transit"); migration 0019.
    note: Mapped[str | None] = mapped_column(String(200), default=None)


Index("ix_stock_movements_variant", StockMovement.variant_id, StockMovement.id)
