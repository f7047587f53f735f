from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import Merchant
from shop.core.db import Base


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
    price_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    stock_on_hand: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(Product, back_populates="variants", lazy="joined")

    @property
    def available(self) -> int:
        """Units a shopper may put in a cart. Checkout holds will be subtracted here."""
        return self.stock_on_hand

    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="stock_nonneg"),
        CheckConstraint("price_amount >= 0", name="price_nonneg"),
    )


class StockReason(enum.StrEnum):
    """Why stock moved: every `stock_movements` row says one of these."""

    INITIAL = "initial"  # the level a variant was created with
    ADJUSTMENT = "adjustment"  # a merchant's count
    SALE = "sale"  # a paid order took it
    FLASH_SALE = "flash_sale"  # allocated to a flash sale at launch
    FLASH_SALE_RETURN = "flash_sale_return"  # a closed sale's unsold allocation came back


class StockMovement(Base):
    """Append-only ledger: every change of `stock_on_hand` writes one row with the new balance."""

    __tablename__ = "stock_movements"

    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    delta: Mapped[int]
    balance_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


Index("ix_stock_movements_variant", StockMovement.variant_id, StockMovement.id)
