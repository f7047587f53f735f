"""The dashboard's sales rollups: what the home page reads instead of every order line.

Written by `sales.py` inside the transaction that pays or refunds an order, so they are never
behind the orders. Absent ids are 0, not NULL, so the keys are unique on both databases.
"""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.db import MINOR_UNITS

ID = BigInteger().with_variant(Integer(), "sqlite")


class SalesHour(BigIntBase):
    """One shop's sales in one UTC hour (by the order's `paid_at`), for one dimension:

    - `dimension` "shop" (ids 0): the whole shop, what the cards add up;
    - "note", "stream", "direct" (`source_id`): where the lines were bought;
    - "notes" (ids 0): the lines bought from any note, so the funnel's `paid` step counts an
      order of two notes once;
    - "creator" (`creator_id`): the creator credited on the lines (`deal_id`: the newest deal).

    `paid`: Σ line totals; `refunded`: Σ refunds that succeeded since, on those lines; `orders`:
    orders with a line in the row (an order counts once per row). `slot` spreads one hour's
    writes over a few rows, so concurrent payments to one shop do not queue on a single row.
    """

    __tablename__ = "sales_hours"

    merchant_id: Mapped[int] = mapped_column(ID)
    hour: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    currency: Mapped[str] = mapped_column(String(3))
    dimension: Mapped[str] = mapped_column(String(8))
    source_id: Mapped[int] = mapped_column(ID)
    creator_id: Mapped[int] = mapped_column(ID)
    slot: Mapped[int]
    paid: Mapped[int] = mapped_column(MINOR_UNITS)
    refunded: Mapped[int] = mapped_column(MINOR_UNITS)
    orders: Mapped[int]
    deal_id: Mapped[int] = mapped_column(ID)

    __table_args__ = (
        UniqueConstraint(
            "merchant_id",
            "dimension",
            "hour",
            "currency",
            "source_id",
            "creator_id",
            "slot",
            name="uq_sales_hours_key",
        ),
    )


class SalesBuyer(BigIntBase):
    """A shopper who paid the shop on a UTC day (once per day): the conversion's numerator."""

    __tablename__ = "sales_buyers"

    merchant_id: Mapped[int] = mapped_column(ID)
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ID)

    __table_args__ = (
        # Also the index the count reads: (shop, day range) then the distinct users.
        UniqueConstraint("merchant_id", "day", "user_id", name="uq_sales_buyers_key"),
    )
