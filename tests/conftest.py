"""Fixtures start real services: a migrated database (SQLite or PostgreSQL), Redis when set,
and the real application in-process. Nothing of our own code, and not the DB, is mocked."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.app import create_app
from shop.audit.commands import run_audit
from shop.core import clock as app_clock
from shop.core.db import build_engine, migrate
from shop.settings import Settings
from tests import backends
from tests.helpers import (
    PASSWORD,
    PAUSABLE_REDIS_PORT,
    PAUSABLE_REDIS_URL,
    ROOT,
    Client,
    free_port,
    register,
    wait_for,
)

T = TypeVar("T")


def _off_loop(function: Callable[..., T], *args: Any) -> T:
    """Alembic and the admin connection use asyncio.run(): give them a thread without a loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


# Under CI the state machines (payouts, flash sales) replay the same sequences every run, so a
# landing is never blocked by a find unrelated to it; run without CI=true, they search at random
# (a find is then kept as a plain regression test, as test_payout_regressions.py does).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def stripe_sandbox() -> Iterator[str]:
    """A real local Stripe test-mode server (localstripe) for the whole run."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "stripe_sandbox.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/v1/balance", headers={"Authorization": "Bearer sk_test_zhongcao_local"})
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def pausable_redis() -> Iterator[str]:
    """A redis-server of this run's own, for the fault tests' `CLIENT PAUSE`: the suite's SQLite and
    PostgreSQL passes run side by side, and pausing the machine's Redis would stall the other one."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(PAUSABLE_REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while not _answers(PAUSABLE_REDIS_PORT):
        assert process.poll() is None, f"{binary} exited with {process.returncode}"
        assert time.monotonic() < deadline, "the fault tests' redis-server did not start in 10 s"
        time.sleep(0.05)
    yield PAUSABLE_REDIS_URL
    process.terminate()
    process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory, stripe_sandbox: str) -> Iterator[Settings]:
    var_dir = tmp_path_factory.mktemp("var")
    url = _off_loop(backends.create_database, var_dir)
    settings = Settings(
        database_url=url,
        var_dir=var_dir,
        secret_key="test-secret-key-" + "x" * 32,
        redis_url=os.environ.get("REDIS_URL") or None,
        stripe_api_base=stripe_sandbox,
        run_jobs=False,
        # Thousands of sign-ups per run: new hashes at argon2's cheapest cost (tests of the
        # standard cost build their own hasher).
        password_hash_profile="cheapest",
    )
    _off_loop(migrate, settings)
    yield settings
    _off_loop(backends.drop_database, url)


@pytest.fixture
def clock() -> Iterator[ModuleType]:
    """The app's clock (`shop.core.clock`): move it with `advance`/`set`; real time again afterwards.

    It moves time for this process only, so it serves in-process tests, not a server subprocess.
    """
    yield app_clock
    app_clock.reset()


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    # A fresh Redis namespace per test: sessions and throttles never leak between tests.
    return base_settings.model_copy(update={"redis_prefix": f"zc-test-{uuid.uuid4().hex[:8]}"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corrupts_books: breaks an invariant on purpose (no end audit)")


@pytest.fixture
async def app(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    # The app runs on the test's own event loop (no thread portal), so PostgreSQL connections
    # never cross loops, and lifespan hooks (engine, Redis) run as in production.
    async with LifespanManager(application):
        yield application
    try:
        if request.node.get_closest_marker("corrupts_books") is None:
            await _books_still_balance(settings)
    finally:
        engine = build_engine(settings)
        try:
            await backends.wipe(engine)
        finally:
            await engine.dispose()


async def _books_still_balance(settings: Settings) -> None:
    """`python -m shop audit` on what the test left: every test's end state keeps the invariants
    (stock ledger, flash-sale books, payments, charges cover transfers, commissions)."""
    said: list[str] = []
    if await run_audit(settings, say=said.append) != 0:
        pytest.fail("the audit fails on this test's end state:\n" + "\n".join(said), pytrace=False)


@pytest.fixture
async def served(app: Litestar) -> AsyncIterator[str]:
    """The same app over real HTTP on the test's own loop (its lifespan already ran above): the
    local Stripe server can deliver webhooks to it, a browser can open it, and `clock` moves its time."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


def _browser(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
        base_url="http://testserver.local",
    )


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    async with _browser(app) as raw:
        yield Client(raw)


@pytest.fixture
async def other_client(app: Litestar) -> AsyncIterator[Client]:
    """A second browser: its own cookies, same server."""
    async with _browser(app) as raw:
        yield Client(raw)


@asynccontextmanager
async def _signed_in(app: Litestar, role: str | None) -> AsyncIterator[Client]:
    """A browser of its own; signed in as a fresh user of `role` (None: anonymous)."""
    async with _browser(app) as raw:
        browser = Client(raw)
        if role is not None:
            browser.me = await register(browser, f"{role}-{uuid.uuid4().hex[:8]}@example.com", role=role)
        yield browser


def _role_fixture(role: str | None, doc: str) -> Any:
    @pytest.fixture
    async def browser(app: Litestar) -> AsyncIterator[Client]:
        async with _signed_in(app, role) as signed_in:
            yield signed_in

    browser.__doc__ = doc
    return browser


# Each its own browser: anonymous, or signed up as a fresh user of that role (`.me`, `.id`).
anonymous = _role_fixture(None, "A browser that never signed in.")
third_client = _role_fixture(None, "A third browser, not signed up yet (for conversations of three).")
shopper = _role_fixture("shopper", "A signed-in shopper.")
other_shopper = _role_fixture("shopper", "A second shopper, to be refused another's things.")
creator = _role_fixture("creator", "A signed-in creator.")
merchant = _role_fixture("merchant", "A merchant with a shop of its own (`merchant.me['merchant']`).")
other_merchant = _role_fixture("merchant", "A second merchant, to be refused another's things.")


@pytest.fixture
async def operator(client: Client, db: AsyncSession) -> Client:
    """A browser signed in as an operator that `python -m shop operator add` made."""
    from shop.operators.commands import add_operator

    email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    added = await add_operator(db, email, PASSWORD)
    await db.commit()
    assert added.outcome == "created"
    signed = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    client.me = signed.json()
    assert client.me["role"] == "operator"
    return client


@pytest.fixture
async def db(app: Litestar, settings: Settings) -> AsyncIterator[AsyncSession]:
    """A separate connection for asserting what the app really committed."""
    engine = build_engine(settings)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    await engine.dispose()


@pytest.fixture
def media_dir(settings: Settings) -> Path:
    return settings.media_dir


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    passed = len(terminalreporter.stats.get("passed", []))
    failed = len(terminalreporter.stats.get("failed", [])) + len(terminalreporter.stats.get("error", []))
    terminalreporter.write_line(
        f"zhongcao: {passed} passed, {failed} failed on backend={backends.backend()}"
        f" redis={'yes' if os.environ.get('REDIS_URL') else 'no'}",
        bold=True,
    )
