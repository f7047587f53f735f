"""Imports every model so the metadata (and Alembic's autogenerate) sees the whole schema."""

from shop.accounts.models import ApiToken, Follow, Merchant, User
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, ProductImage, StockMovement, Variant
from shop.notes.models import Comment, Note, NoteImage, NoteLike, NoteSave, NoteTopic, ProductTag, Upload

__all__ = [
    "ApiToken",
    "Cart",
    "CartLine",
    "Comment",
    "Follow",
    "Merchant",
    "Note",
    "NoteImage",
    "NoteLike",
    "NoteSave",
    "NoteTopic",
    "Product",
    "ProductImage",
    "ProductTag",
    "StockMovement",
    "Upload",
    "User",
    "Variant",
]
