"""Admitting a hold: the gate answers first, from its own state, then the shop and the hold cap,
with no SQL in the common case. What comes out is the hold's ledger row, not yet written: the
caller writes it (the reservation endpoint through the group writer, writer.py) and gives the
gate's hold back if that fails. The ledger is the truth the gate is rebuilt from (`books`,
`cap_holds`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales import caps as c
from live.flash_sales import gate as g
from live.flash_sales.facts import SaleFacts, ensure_shop_open, sale_facts
from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from live.flash_sales.schemas import ViewerLimitOut
from shop.core import clock
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.i18n import N_, gettext
from shop.core.once import Once


class SaleRefused(Conflict):
    """409 with the contract's code: sold_out, limit_reached, not_started or ended."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.refusal = code

    def to_body(self) -> dict[str, object]:
        return {"code": self.refusal, "message": gettext(self.message)}


HOLD_CAP = c.CAP_OVER  # the account holds too many units across sales
# A herd that finds the gate's books (or the hold caps) missing, after a Redis restart, rebuilds once.
_rebuilds: Once[tuple[int, int], None] = Once()
REFUSALS = {
    g.SOLD_OUT: N_("Sold out."),
    g.LIMIT: N_("You have reached the limit for this deal."),
    g.NOT_STARTED: N_("The sale has not started yet."),
    g.ENDED: N_("The sale has ended."),
}


@dataclass(frozen=True, slots=True)
class Admitted:
    row: dict[str, Any]  # the FlashSaleHold columns
    remaining: int
    sale: SaleFacts
    mine: ViewerLimitOut  # the customer's units in the sale, from the gate (in-flight holds count)


def terms(sale: FlashSale) -> g.SaleTerms:
    return g.SaleTerms(
        sale.id, sale.quantity, sale.per_customer_limit, sale.starts_at.timestamp(), sale.ends_at.timestamp()
    )


async def admit(
    db: AsyncSession, gate: g.Gate, sale_id: int, user_id: int, quantity: int, *, max_held: int = 10
) -> Admitted:
    """A refusal (sold out, over the limit, not started, ended) costs no DB round trip. An
    admitted hold is checked against its shop and the hold cap (`max_held` units one account
    may hold at once across every sale); if either refuses, the gate's hold is given back."""
    reservation_id = uuid.uuid4().hex
    at = clock.now()
    status, remaining, used = await gate.admit(sale_id, user_id, quantity, reservation_id, at.timestamp())
    if status == g.MISSING:  # Redis restarted, or this process's first look: rebuild from the ledger
        await _rebuilds((id(gate), sale_id), lambda: _rebuild(db, gate, sale_id))
        status, remaining, used = await gate.admit(sale_id, user_id, quantity, reservation_id, at.timestamp())
    if status == g.TOO_MANY:
        raise InvalidInput(fields={"quantity": N_("At most %(n)s per customer.", n=remaining)})
    if status != g.OK:
        raise SaleRefused(status, REFUSALS.get(status, N_("Not available.")))
    try:
        sale = await sale_facts(db, gate, sale_id)
        expires_at = at + timedelta(seconds=sale.hold_seconds)
        hold = c.CapHold(reservation_id, user_id, sale_id, quantity, expires_at.timestamp())
        answer = await _within_hold_cap(db, gate, hold, max_held, at)
        await ensure_shop_open(db, sale, gate, answer.generation)  # suspended during the sale
    except BaseException:
        await gate.release(sale_id, reservation_id)
        raise
    row = {
        "sale_id": sale_id,
        "user_id": user_id,
        "reservation_id": reservation_id,
        "quantity": quantity,
        "expires_at": expires_at,
    }
    held = min(answer.held_in_sale, used)
    mine = ViewerLimitOut(
        flash_sale_id=sale_id,
        per_customer_limit=sale.per_customer_limit,
        held=held,
        bought=used - held,
        left=max(sale.per_customer_limit - used, 0),
    )
    return Admitted(row, remaining, sale, mine)


async def _within_hold_cap(
    db: AsyncSession, gate: g.Gate, hold: c.CapHold, max_held: int, at: datetime
) -> c.CapAnswer:
    answer = await gate.caps.take(hold, max_held, at.timestamp())
    if answer.status == c.CAP_MISSING:
        await _rebuilds((id(gate.caps), 0), lambda: _load_caps(db, gate, at))
        answer = await gate.caps.take(hold, max_held, at.timestamp())
    if answer.status == c.CAP_OVER:
        message = N_("You are holding %(n)s units already: pay for them or let them go first.", n=answer.held)
        raise SaleRefused(HOLD_CAP, message)
    return answer


async def cap_holds(db: AsyncSession, at: datetime) -> list[c.CapHold]:
    """Every live hold of every account, from the ledger: what the gate's hold cap is rebuilt from."""
    rows = await db.execute(
        select(
            FlashSaleHold.reservation_id,
            FlashSaleHold.user_id,
            FlashSaleHold.sale_id,
            FlashSaleHold.quantity,
            FlashSaleHold.expires_at,
        ).where(FlashSaleHold.state == SaleHoldState.HELD, FlashSaleHold.expires_at > at)
    )
    return [c.CapHold(r, u, s, q, e.timestamp()) for r, u, s, q, e in rows.all()]


async def _rebuild(db: AsyncSession, gate: g.Gate, sale_id: int) -> None:
    await gate.load(sale_id, await books(db, await _sale(db, sale_id)))


async def _load_caps(db: AsyncSession, gate: g.Gate, at: datetime) -> None:
    await gate.caps.load(await cap_holds(db, at), at.timestamp())


async def _sale(db: AsyncSession, sale_id: int) -> FlashSale:
    sale = await db.get(FlashSale, sale_id)
    if sale is None:
        raise NotFound("No such flash sale.")
    return sale


async def books(db: AsyncSession, sale: FlashSale) -> g.Books:
    """Rebuild the gate's view from the ledger: the DB is the truth."""
    rows = (
        await db.execute(
            select(
                FlashSaleHold.reservation_id,
                FlashSaleHold.user_id,
                FlashSaleHold.quantity,
                FlashSaleHold.state,
                FlashSaleHold.expires_at,
            ).where(FlashSaleHold.sale_id == sale.id)
        )
    ).all()
    result = g.Books(remaining=sale.quantity, terms=terms(sale))
    at = clock.now()
    for reservation_id, user_id, quantity, state, expires_at in rows:
        live_hold = state == SaleHoldState.HELD and expires_at > at
        if state == SaleHoldState.SOLD or live_hold:
            result.remaining -= quantity
            result.per_user[user_id] = result.per_user.get(user_id, 0) + quantity
        if live_hold:
            result.holds[reservation_id] = (user_id, quantity)
    return result
