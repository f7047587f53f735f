"""What every response carries, whatever route (or none) answered it.

- a Content-Security-Policy that runs only this site's scripts and Stripe.js, and forbids framing
  (a framed checkout or refund form could be clickjacked);
- `nosniff` and a referrer policy that never sends a path to another site;
- `Secure` on every cookie when the site is served over https;
- a Host allow-list: a forged Host is refused before any route runs.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

from shop.core.asgi import App
from shop.core.lanes import LaneGuard
from shop.settings import Settings

# Stripe's documented needs: its script, its frames (card fields, 3D Secure) and its API.
_STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
_STRIPE_FRAMES = (*_STRIPE_SCRIPTS, "https://hooks.stripe.com")
_STRIPE_API = ("https://api.stripe.com",)
_STRIPE_IMAGES = ("https://*.stripe.com",)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    """No inline script runs (JSON data blocks are not scripts); styles may be inline attributes."""
    scripts: tuple[str, ...]
    frames: tuple[str, ...]
    api: tuple[str, ...]
    images: tuple[str, ...]
    if settings.uses_local_stripe:
        # The local Stripe server serves its Stripe.js stand-in and answers its calls itself.
        local = (_origin(settings.stripe_api_base),)
        scripts, frames, api, images = local, local, local, ()
    else:
        scripts, frames, api, images = _STRIPE_SCRIPTS, _STRIPE_FRAMES, _STRIPE_API, _STRIPE_IMAGES
    directives = {
        "default-src": ("'self'",),
        "script-src": ("'self'", *scripts),
        # hls.js fetches playlists and segments: from here, or from the media server encoders push to.
        "connect-src": (
            "'self'",
            *api,
            *((_origin(settings.rtmp_hls_base),) if settings.rtmp_hls_base else ()),
        ),
        "frame-src": ("'self'", *frames),
        "img-src": ("'self'", "data:", "blob:", *images),
        # A stream's playback URL is the host's own video server, anywhere.
        "media-src": ("'self'", "blob:", "https:", "http:"),
        "style-src": ("'self'", "'unsafe-inline'"),
        "font-src": ("'self'", "data:"),
        "worker-src": ("'self'", "blob:"),
        "object-src": ("'none'",),
        "base-uri": ("'self'",),
        "frame-ancestors": ("'none'",),
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _with_secure(cookie: bytes) -> bytes:
    attributes = [part.strip().lower() for part in cookie.split(b";")[1:]]
    return cookie if b"secure" in attributes else cookie + b"; Secure"


def security_headers(settings: Settings) -> Any:
    """A before-send hook: it sees every response, the router's 404s and 400s included."""
    fixed = [
        (b"content-security-policy", content_security_policy(settings).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    ]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or [])
        if settings.secure_cookies or scope.get("scheme") == "https":
            headers = [(k, _with_secure(v) if k.lower() == b"set-cookie" else v) for k, v in headers]
        present = {k.lower() for k, _ in headers}
        message["headers"] = headers + [(k, v) for k, v in fixed if k not in present]

    return add_headers


def host_name(host: str) -> str:
    """The Host header's name without its port: `[::1]:8000` is `[::1]`, `Shop.Example.` is `shop.example`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0].rstrip(".") if ":" in host else host.rstrip(".")


def host_allowed(host: str, allowed: list[str]) -> bool:
    name = host_name(host)
    if not name:
        return False
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


_BAD_HOST = json.dumps({"code": "bad_host", "message": "This site does not answer for that host."}).encode()


class HostGuard:
    """Wraps the whole app, so an unknown Host is refused even on a path no route matches.

    Litestar's own AllowedHostsMiddleware runs per route and compares the Host with its port.
    """

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if scope["type"] not in ("http", "websocket") or host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
        else:
            start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(_BAD_HOST)).encode()),
                ],
            }
            await send(start)
            await send({"type": "http.response.body", "body": _BAD_HOST, "more_body": False})


def harden(app: Litestar, settings: Settings) -> Litestar:
    """Put the Host check in front of routing and the headers on every response."""
    app.asgi_handler = HostGuard(app.asgi_handler, settings.allowed_hosts)
    headers = security_headers(settings)
    app.before_send.append(headers)
    if isinstance(app, App):  # its lanes answer beside the chain: the same Hosts, the same headers
        app.guard = LaneGuard(lambda host: host_allowed(host, settings.allowed_hosts), [headers])
    return app
