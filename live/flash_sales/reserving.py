"""Taking a hold for a shopper: the reservation endpoint's whole workflow, behind both of its doors
(the Litestar route in controllers.py and the lane beside the chain, lane.py).

    rate limit (per account, per address) ──▶ gate admits ──▶ ledger row written ──▶ ticker
         │ 429 RateLimited                       │ 409 SaleRefused   │ 503: the gate's hold
         ▼                                       ▼                   ▼ given back, count resent
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from live import services as streams
from live.flash_sales import holding
from live.flash_sales.deps import ReservationParts
from live.flash_sales.schemas import ReservationOut
from live.flash_sales.writer import write_hold
from shop.core.i18n import N_
from shop.core.ratelimit import take_slots


async def reserve(
    db: AsyncSession, parts: ReservationParts, user_id: int, ip: str, sale_id: int, quantity: int
) -> ReservationOut:
    """The hold, written and counted. Raises RateLimited, SaleRefused (the common refusals: no DB
    round trip), InvalidInput, NotFound or ServiceUnavailable. `db` is left with no transaction."""
    gate, ticker, settings = parts.gate, parts.ticker, parts.settings
    limits = {
        f"reserve:acct:{user_id}": settings.reservations_per_account_per_minute,
        f"reserve:ip:{ip}": settings.reservations_per_ip_per_minute,
    }
    await take_slots(parts.attempts, limits, 60, N_("Too many reservations at once. Try again in a minute."))
    try:
        admitted = await holding.admit(db, gate, sale_id, user_id, quantity, max_held=settings.max_units_held)
    finally:
        await db.rollback()  # a rebuild's or a cache miss's reads: no transaction left open
    row, remaining = admitted.row, admitted.remaining
    channel = streams.channel_name(admitted.sale.stream_id)
    try:  # the ledger row is the truth; without it the gate's hold is undone
        await write_hold(db, row)
    except Exception:
        await gate.release(sale_id, row["reservation_id"])
        # The ticker may already have shown this unit as taken: send the count again.
        ticker.update(sale_id, remaining + quantity, channel)
        raise
    ticker.update(sale_id, remaining, channel)
    return ReservationOut(
        reservation_id=row["reservation_id"],
        flash_sale_id=sale_id,
        quantity=quantity,
        expires_at=row["expires_at"],
        remaining=remaining,
        mine=admitted.mine,
    )
