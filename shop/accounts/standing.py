"""A shop's standing changed (suspended, reinstated, verified): tell the hot paths that cache it.

The flash-sale reservation path caches "is this sale's shop open?" per process and trusts an
entry only while a *standing generation* it reads anyway (from its gate) is unchanged. A move
bumps that generation through the listeners installed here, now (other requests stop trusting
their entries at once) and again after the commit (an entry filled in between is dropped too).
shop knows nothing of live: live installs its listener when it builds its gate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shop.core.db import after_commit_task

Listener = Callable[[], Awaitable[None]]
_listeners: list[Listener] = []


def install(listener: Listener) -> None:
    _listeners.append(listener)
    del _listeners[:-8]  # tests build a few apps in one process; keep the newest


async def moved(db: AsyncSession) -> None:
    for listener in list(_listeners):
        await listener()
        after_commit_task(db, listener)
