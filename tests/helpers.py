"""A browser-like test client (cookies plus the CSRF header) and builders that go through the API."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path
from typing import Any

import httpx
from httpx import Response
from PIL import Image

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The fault tests' own Redis (conftest's `pausable_redis` starts it), so pausing it stalls no one else.
PAUSABLE_REDIS_PORT = free_port()
PAUSABLE_REDIS_URL = f"redis://127.0.0.1:{PAUSABLE_REDIS_PORT}/0"


def wait_for(url: str, timeout: float = 30, **kwargs: Any) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, **kwargs).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Client:
    """Wraps Litestar's AsyncTestClient: unsafe calls carry `X-CSRFToken` like our pages' JS does."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.cookies = raw.cookies
        # Set by the role fixtures: what `POST /api/v1/auth/register` answered (id, email, role…).
        self.me: dict[str, Any] = {}

    @property
    def id(self) -> int:
        return int(self.me["id"])

    async def csrf(self) -> str:
        if not self.raw.cookies.get("csrftoken"):
            await self.raw.get("/api/v1/health")
        return str(self.raw.cookies.get("csrftoken"))

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.raw.get(path, **kwargs)

    async def send(self, method: str, path: str, *, csrf: bool = True, **kwargs: Any) -> Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            headers.setdefault("X-CSRFToken", await self.csrf())
        return await self.raw.request(method, path, headers=headers, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        return await self.send("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Response:
        return await self.send("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Response:
        return await self.send("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Response:
        return await self.send("DELETE", path, **kwargs)

    async def form(self, path: str, data: dict[str, Any], *, csrf: bool = True) -> Response:
        """Submit an HTML form the way a browser does: the token travels as a hidden field."""
        body = dict(data)
        if csrf:
            body["_csrf_token"] = await self.csrf()
        return await self.raw.post(path, data=body, follow_redirects=False)


def png_bytes(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 80, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


async def register(client: Client, email: str, role: str = "shopper", **extra: Any) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, "display_name": email.split("@")[0], "role": role, **extra}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(client: Client, data: bytes | None = None) -> dict[str, Any]:
    files = {"file": ("photo.png", data or png_bytes(), "image/png")}
    response = await client.post("/api/v1/uploads", files=files)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_product(
    client: Client,
    name: str = "Dew Serum",
    *,
    stock: int = 10,
    price: int = 2599,
    sku: str | None = None,
    variants: list[dict[str, Any]] | None = None,
    open_bps: int | None = None,
) -> dict[str, Any]:
    """The client must be signed in as a merchant. `open_bps`: also open the product for
    collaboration at that commission, so any creator (or shopper) may tag and shelve it."""
    image = await upload(client)
    body = {
        "name": name,
        "description": f"{name}, loved by our community.",
        "image_upload_ids": [image["upload_id"]],
        "variants": variants
        or [
            {
                "sku": sku or name.upper().replace(" ", "-"),
                "name": "30 ml",
                "price": {"amount": price, "currency": "USD"},
                "stock_on_hand": stock,
            }
        ],
    }
    response = await client.post("/api/v1/products", json=body)
    assert response.status_code == 201, response.text
    if open_bps is not None:
        opened = await client.post(
            "/api/v1/collaborations", json={"product_id": response.json()["id"], "commission_bps": open_bps}
        )
        assert opened.status_code == 201, opened.text
    return dict(response.json())


async def make_note(
    client: Client,
    product_ids: list[int],
    title: str = "My glow routine",
    body: str = "Three steps. #skincare",
) -> dict[str, Any]:
    image = await upload(client, png_bytes(60, 80))
    tags = [{"product_id": pid, "x": 0.3 + 0.1 * i, "y": 0.5} for i, pid in enumerate(product_ids)]
    response = await client.post(
        "/api/v1/notes",
        json={
            "title": title,
            "body": body,
            "topics": [],
            "images": [{"upload_id": image["upload_id"], "tags": tags}],
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


ADDRESS = {
    "name": "Mei Lin",
    "line1": "1 Market Street",
    "line2": "Apt 5",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}


async def add_address(client: Client, *, default: bool = True, **fields: Any) -> dict[str, Any]:
    """Save an address for the signed-in user (the default one unless told): checkout ships there."""
    response = await client.post("/api/v1/me/addresses", json={**ADDRESS, **fields, "default": default})
    assert response.status_code == 201, response.text
    return dict(response.json())


class Cost:
    """SQL statements run by one request (every engine in the process: the app's own included)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    async def of(self, client: Client, url: str) -> int:
        from sqlalchemy import Engine, event

        self.statements.clear()
        event.listen(Engine, "before_cursor_execute", self._record)
        try:
            assert (await client.get(url)).status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", self._record)
        return len(self.statements)
