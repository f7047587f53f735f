"""The hold cap (units one account holds at once across every sale) lives in the shared gate, so
one account's simultaneous holds split over two app processes and two sales never pass it."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.flash_sales.models import FlashSaleHold
from shop.settings import Settings
from tests.helpers import Client
from tests.live_helpers import buyers, launch_sale, live_room
from tests.scaled.test_two_processes import two_processes  # noqa: F401  (the fixture)


async def _hold(server: str, sale_id: int, token: str) -> tuple[int, str]:
    async with httpx.AsyncClient(
        base_url=f"http://{server}", timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        answer = await client.post(f"/api/v1/flash-sales/{sale_id}/reservations", json={"quantity": 1})
        return answer.status_code, str(answer.json().get("code", ""))


async def test_one_account_over_two_processes_holds_at_most_the_cap(
    two_processes: tuple[str, str],  # noqa: F811
    db: AsyncSession,
    base_settings: Settings,
) -> None:
    a, b = two_processes
    cap = base_settings.max_units_held
    async with (
        httpx.AsyncClient(base_url=f"http://{a}") as host_raw,
        httpx.AsyncClient(base_url=f"http://{a}") as merchant_raw,
    ):
        host, merchant = Client(host_raw), Client(merchant_raw)
        room = await live_room(host, merchant, stock=100)
        sales = [await launch_sale(host, room, quantity=30, limit=cap) for _ in range(2)]
    (token,) = await buyers(db, 1)
    tries = [(a if n % 2 else b, sales[n % 4 // 2]["id"]) for n in range(cap + 4)]
    answers = await asyncio.gather(*(_hold(server, sale_id, token) for server, sale_id in tries))
    assert sorted(answers) == [(201, "")] * cap + [(409, "hold_cap")] * 4
    held = await db.scalar(select(func.sum(FlashSaleHold.quantity)).where(FlashSaleHold.state == "held"))
    assert held == cap
