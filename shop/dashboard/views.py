"""The dashboard home as JSON and as the page's context: one shape for both."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import Merchant
from shop.analytics.funnel import funnel
from shop.dashboard import actions, metrics, top
from shop.dashboard.metrics import Figures, change
from shop.dashboard.periods import Period


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def figures_out(f: Figures, currency: str) -> dict[str, Any]:
    return {
        "gmv": _money(f.gmv, currency),
        "orders": f.orders,
        "aov": _money(f.aov, currency),
        "conversion": f.conversion,
        "refunds": _money(f.refunds, currency),
        "buyers": f.buyers,
        "visitors": f.visitors,
    }


async def summary(db: AsyncSession, shop: Merchant, period: Period) -> dict[str, Any]:
    now, before = await metrics.figures(db, shop, period)
    body = {"period": period.value, "currency": shop.currency, **figures_out(now, shop.currency)}
    body["by_source"] = {s: _money(v, shop.currency) for s, v in now.by_source.items()}
    body["previous"] = figures_out(before, shop.currency)
    body["change"] = {
        "gmv": change(now.gmv, before.gmv),
        "orders": change(now.orders, before.orders),
        "aov": change(now.aov, before.aov),
        "conversion": change(now.conversion, before.conversion),
        "refunds": change(now.refunds, before.refunds),
    }
    return body


async def home(
    db: AsyncSession, shop: Merchant, period: Period, note_id: int | None = None
) -> dict[str, Any]:
    """Everything the home page shows, in a fixed number of queries. `note_id`: the funnel of that
    note of the shop's (another shop's note is a 404) instead of the whole shop's."""
    _, _, steps = await funnel(db, shop, period.value, note_id)
    return {
        "funnel": [{"name": name, "count": count} for name, count in steps],
        "funnel_note": note_id,
        "summary": await summary(db, shop, period),
        "actions": await actions.actions(db, shop),
        "series": await metrics.gmv_by_day(db, shop, period),
        "top_notes": await top.top_notes(db, shop, period),
        "top_streams": await top.top_streams(db, shop, period),
        "top_creators": await top.top_creators(db, shop, period),
    }
