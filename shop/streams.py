"""What `shop` may ask of live streams. Streams belong to `live`, which builds on `shop` and is
never imported by it: `live.partnership.LiveStreams` answers these questions, and the composition
root registers it (`shop.wiring.register_live`) before anything runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from shop.accounts.models import User
    from shop.deals.models import Deal


class Shelf(NamedTuple):
    """A stream as engagement events see it: the host's own shop (None for a creator's room) and
    {shelf product id: its shop} for the active products on its shelf."""

    host_shop_id: int | None
    products: dict[int, int]


class LiveStreams(Protocol):
    async def bind(self, db: AsyncSession, deal: Deal, host: User, stream_id: int) -> None:
        """Bind the host's stream to the deal (it then carries the deal's label)."""
        ...

    async def is_public(self, db: AsyncSession, stream_id: int) -> bool: ...

    async def candidates(self, db: AsyncSession, host_id: int) -> list[tuple[int, str, str]]:
        """The host's streams that could be submitted to a deal: (id, title, status), newest first."""
        ...

    async def flash_allocated(self, db: AsyncSession, deal_id: int) -> int:
        """Units the deal's flash sales have taken from its `max_quantity` so far."""
        ...

    async def host_of(self, db: AsyncSession, stream_id: int) -> int | None:
        """The host of a stream shoppers can see (a cart or an order line may credit it)."""
        ...

    async def titles(self, db: AsyncSession, stream_ids: list[int]) -> dict[int, str]:
        """{stream id: title} for the ids that exist (the dashboard's top streams)."""
        ...

    async def shelves(self, db: AsyncSession, stream_ids: list[int]) -> dict[int, Shelf]:
        """{stream id: its Shelf} for the ids that exist (engagement events credit those shops)."""
        ...


_registered: list[LiveStreams] = []


def register(streams: LiveStreams) -> None:
    """Called by the composition root; registering again replaces (the object is stateless)."""
    _registered[:] = [streams]


def live() -> LiveStreams:
    if not _registered:
        raise RuntimeError("live has not registered its streams (see shop.wiring.register_live)")
    return _registered[0]
