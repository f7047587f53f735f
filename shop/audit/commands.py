"""`python -m shop audit`: one line per invariant as it is checked, a summary, exit 1 on any violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from shop.audit.checks import run_all
from shop.audit.findings import Finding, snapshot
from shop.core.db import build_engine


def summary(findings: list[Finding]) -> str:
    failed = [f for f in findings if not f.ok]
    if not failed:
        return f"audit: all {len(findings)} checks pass"
    total = sum(f.violations for f in failed)
    return f"audit: {len(failed)} of {len(findings)} checks failed ({total} violations in all)"


async def run_audit(settings: Any, say: Callable[[str], None] = print) -> int:
    """The exit code: 0 when every check passes, 1 otherwise."""
    from shop.wiring import register_live  # the root introduces live's flash-sale check (I2)

    register_live()
    engine = build_engine(settings)
    try:
        async with snapshot(async_sessionmaker(engine, expire_on_commit=False)) as db:
            say(f"audit: checking {engine.url.render_as_string(hide_password=True)}")
            findings = await run_all(db, settings.platform_fee_bps, report=lambda f: say(f.line()))
    finally:
        await engine.dispose()
    say(summary(findings))
    return 0 if all(f.ok for f in findings) else 1
