"""Imports every model so the metadata (and Alembic's autogenerate) sees the whole schema.

New model modules must be added here (and to `__all__`, or ruff drops the import).
"""

from live.flash_sales.models import FlashSale, FlashSaleHold
from live.models import (
    Stream,
    StreamEvent,
    StreamModerator,
    StreamProduct,
    StreamReminder,
    StreamSample,
)
from live.moderation.models import LiveBlock, LiveKeywords, ModerationAction, StreamChatter, StreamMute
from payments.models import PaymentAttempt, PaymentEvent, Refund
from shop.accounts.models import ApiToken, Follow, Merchant, User, UserInterest, UserSession
from shop.addresses.models import Address
from shop.analytics.models import EngagementDaily, EngagementEvent, RollupMark
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, ProductImage, StockMovement, Variant
from shop.commissions.models import Commission, CommissionEntry
from shop.dashboard.models import SalesBuyer, SalesHour
from shop.deals.models import Deal, DealRound, HeldFee, Offer, OfferProduct
from shop.notes.models import (
    Comment,
    CommentLike,
    Note,
    NoteImage,
    NoteLike,
    NoteSave,
    NoteTopic,
    ProductTag,
    Upload,
)
from shop.notifications.models import Notification
from shop.orders.models import Order, OrderLine, StockReservation
from shop.partnerships.models import Collaboration, CollaborationRate, ShowcaseItem
from shop.payouts.models import (
    PayoutAccount,
    PayoutCarry,
    PayoutReversal,
    PayoutTransfer,
    SettledOrder,
)
from shop.translate.models import Translation

__all__ = [
    "Address",
    "ApiToken",
    "Cart",
    "CartLine",
    "Collaboration",
    "CollaborationRate",
    "Comment",
    "CommentLike",
    "Commission",
    "CommissionEntry",
    "Deal",
    "DealRound",
    "EngagementDaily",
    "EngagementEvent",
    "FlashSale",
    "FlashSaleHold",
    "Follow",
    "HeldFee",
    "LiveBlock",
    "LiveKeywords",
    "Merchant",
    "ModerationAction",
    "Note",
    "NoteImage",
    "NoteLike",
    "NoteSave",
    "NoteTopic",
    "Notification",
    "Offer",
    "OfferProduct",
    "Order",
    "OrderLine",
    "PaymentAttempt",
    "PaymentEvent",
    "PayoutAccount",
    "PayoutCarry",
    "PayoutReversal",
    "PayoutTransfer",
    "Product",
    "ProductImage",
    "ProductTag",
    "Refund",
    "RollupMark",
    "SalesBuyer",
    "SalesHour",
    "SettledOrder",
    "ShowcaseItem",
    "StockMovement",
    "StockReservation",
    "Stream",
    "StreamChatter",
    "StreamEvent",
    "StreamModerator",
    "StreamMute",
    "StreamProduct",
    "StreamReminder",
    "StreamSample",
    "Translation",
    "Upload",
    "User",
    "UserInterest",
    "UserSession",
    "Variant",
]
