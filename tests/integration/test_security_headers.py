"""Issue 13's header findings: every response carries the CSP (our scripts and Stripe.js only, no
framing), nosniff and a referrer policy; a Host not in ALLOWED_HOSTS is refused; cookies are
Secure when the site is served over https."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar

from shop.app import create_app
from shop.core.headers import content_security_policy, host_allowed
from shop.settings import Settings
from tests.helpers import PASSWORD, Client, register


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers["content-security-policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def _assert_hardened(response: httpx.Response, stripe_origin: str) -> None:
    policy = _policy(response)
    assert policy["script-src"] == ["'self'", stripe_origin], policy
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_pages_api_errors_and_files_all_carry_the_headers(
    shopper: Client, anonymous: Client, settings: Settings
) -> None:
    sandbox = settings.stripe_api_base  # the local Stripe server serves the Stripe.js stand-in
    responses = [
        await shopper.get("/"),
        await shopper.get("/cart"),
        await shopper.get("/api/v1/health"),
        await shopper.get("/api/v1/notes"),
        await anonymous.get("/api/v1/cart/lines/999999"),
        await anonymous.get("/no-such-page"),  # no route: the router's own 404
        await anonymous.get("/static/js/app.js"),
        await anonymous.get("/schema"),
        await anonymous.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "x"}),
    ]
    assert [r.status_code for r in responses][:4] == [200, 200, 200, 200]
    for response in responses:
        _assert_hardened(response, sandbox)


async def test_no_page_runs_an_inline_script(anonymous: Client) -> None:
    """The CSP has no 'unsafe-inline' for scripts: /schema starts Redoc from a file."""
    page = await anonymous.get("/schema")
    assert page.status_code == 200
    assert "Redoc.init" not in page.text
    assert '<script src="/static/js/redoc-init.js"></script>' in page.text
    start = await anonymous.get("/static/js/redoc-init.js")
    assert start.status_code == 200
    assert "Redoc.init(" in start.text
    assert "'unsafe-inline'" not in _policy(page)["script-src"]


def test_real_stripe_keys_allow_stripe_js_and_its_frames() -> None:
    real = Settings(stripe_secret_key="sk_test_" + "x" * 24, database_url="sqlite+aiosqlite://")
    policy = {name: values for name, *values in (p.split() for p in content_security_policy(real).split(";"))}
    assert policy["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert "https://hooks.stripe.com" in policy["frame-src"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert "127.0.0.1" not in content_security_policy(real)  # no sandbox origin when on Stripe


async def test_a_host_not_allowed_is_refused(anonymous: Client, app: Litestar) -> None:
    for path in ("/", "/api/v1/health", "/no-such-page", "/static/js/app.js"):
        refused = await anonymous.get(path, headers={"host": "evil.example"})
        assert refused.status_code == 400, path
        assert refused.json()["code"] == "bad_host"
        assert refused.headers["x-content-type-options"] == "nosniff"
    for host in ("testserver.local", "127.0.0.1:8000", "localhost:9999", "[::1]:8000", "LOCALHOST"):
        assert (await anonymous.get("/api/v1/health", headers={"host": host})).status_code == 200, host
    # A forwarded host header changes nothing: only Host is trusted, and it is checked.
    spoofed = await anonymous.get("/", headers={"host": "evil.example", "x-forwarded-host": "localhost"})
    assert spoofed.status_code == 400
    assert await _websocket_close_code(app, b"evil.example") == 1008


async def _websocket_close_code(app: Litestar, host: bytes) -> int | None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/notifications/ws",
        "raw_path": b"/notifications/ws",
        "query_string": b"",
        "headers": [(b"host", host)],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver.local", 80),
        "subprotocols": [],
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent, "the socket got no answer"
    return sent[0].get("code") if sent[0]["type"] == "websocket.close" else None


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("shop.example:443", ["shop.example"], True),
        ("a.shop.example", ["*.shop.example"], True),
        ("shop.example", ["*.shop.example"], False),
        ("evilshop.example", ["*.shop.example"], False),
        ("shop.example.", ["shop.example"], True),
        ("", ["shop.example"], False),
        ("anything", ["*"], True),
    ],
)
def test_host_patterns(host: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(host, allowed) is expected


async def test_cookies_are_secure_over_https(settings: Settings, anonymous: Client) -> None:
    await register(anonymous, "tls@example.com")
    # Plain http (the demo, the tests): cookies stay usable over http, so no Secure.
    plain = await _cookies_of_a_login(create_app(settings), "http")
    assert plain
    assert not [c for c in plain if "; secure" in c.lower()], plain
    # Served over https (TLS ends at uvicorn), or behind a TLS proxy that PUBLIC_BASE_URL names.
    behind_proxy = settings.model_copy(update={"public_base_url": "https://shop.example"})
    for app_settings, scheme in ((settings, "https"), (behind_proxy, "http")):
        cookies = await _cookies_of_a_login(create_app(app_settings), scheme)
        names = {c.split("=", 1)[0] for c in cookies}
        assert {"csrftoken", "session"} <= names, cookies
        assert not [c for c in cookies if "; secure" not in c.lower()], cookies


async def _cookies_of_a_login(app: Litestar, scheme: str) -> list[str]:
    """Every Set-Cookie of the login page and of signing in (the CSRF cookie, then the session)."""
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"{scheme}://testserver.local"
        ) as raw,
    ):
        page = await raw.get("/login")
        assert page.status_code == 200
        token = page.cookies["csrftoken"]
        raw.cookies.clear()  # a Secure cookie is not sent over http by the jar: send it by hand
        login = await raw.post(
            "/api/v1/auth/login",
            json={"email": "tls@example.com", "password": PASSWORD},
            headers={"cookie": f"csrftoken={token}", "x-csrftoken": token},
        )
        assert login.status_code == 200, login.text
        return page.headers.get_list("set-cookie") + login.headers.get_list("set-cookie")
