"""A real server process (uvicorn, seeded demo data on SQLite) and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.backends import IN_CI
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as `scripts/demo` runs it: migrated, seeded, with the local Stripe server beside it."""
    var_dir = tmp_path_factory.mktemp("browser-var")
    port, sandbox_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{var_dir}/demo.db",
        "PORT": str(port),
        "STRIPE_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "PASSWORD_HASH_PROFILE": "cheapest",
        "DEMO_BROADCAST": "1",  # as scripts/demo: the room on air is broadcast with the wall clock
    }
    for key in ("REDIS_URL", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(key, None)
    for command in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "shop", command], cwd=ROOT, env=env, check=True)
    log = (var_dir / "server.log").open("w")
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "scripts/stripe_sandbox.py",
            "--port",
            str(sandbox_port),
            "--webhook-url",
            f"http://127.0.0.1:{port}/payments/stripe/webhook",
            "--webhook-secret",
            "whsec_zhongcao_local",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "shop", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health")
    except RuntimeError:
        process.kill()
        sandbox.kill()
        raise RuntimeError("the app did not start: " + (var_dir / "server.log").read_text()[-2000:]) from None
    yield base
    for child in (process, sandbox):
        child.terminate()
        child.wait(timeout=10)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        await instance.close()
