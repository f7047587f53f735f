"""Passwords, API tokens, sessions that rotate, and CSRF that lets Bearer scripts through."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session import SessionMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, Receive, Scope, Send
from redis.exceptions import RedisError

from shop.core.errors import ServiceUnavailable
from shop.core.http import error_response
from shop.core.i18n import N_

# "standard" is RFC 9106's low-memory profile (64 MiB, 3 passes) for real accounts; "cheapest" lets
# a test suite sign up thousands of users. A hash carries its own parameters, so each verifies the
# other's: the profile sets the cost of new hashes only.
HASH_PROFILES = {"standard": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(HASH_PROFILES["standard"])
# Verifying against this keeps the time of "no such account" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("zhongcao-timing-equaliser")


def use_hash_profile(name: str) -> None:
    """Set the process's hashing cost (create_app calls this with PASSWORD_HASH_PROFILE)."""
    global _hasher, _DUMMY_HASH
    if _hasher.memory_cost == HASH_PROFILES[name].memory_cost:
        return  # already this profile: keep the dummy hash
    _hasher = PasswordHasher.from_parameters(HASH_PROFILES[name])
    _DUMMY_HASH = _hasher.hash("zhongcao-timing-equaliser")


TOKEN_PREFIX = "zc_"  # noqa: S105 (a public prefix, not a secret)
ROTATE_SESSION_KEY = "zc_rotate_session"
_NEW_SESSION_ID_KEY = "zc_new_session_id"
SESSIONS_AWAY = N_("Sessions are briefly unavailable. Try again in a moment.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str]:
    """Return (token shown once to the user, digest stored in the DB)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return bearer_of(connection.headers.get("authorization", ""))


def bearer_of(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer …` header's value, else None."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask the session backend to move this session to a fresh id when the response is sent."""
    connection.scope[ROTATE_SESSION_KEY] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions that never adopt an id the client made up, and rotate on demand.

    Litestar's stock backend reuses whatever id the browser sends (session fixation). Here an id
    is kept only if the store already knows it, and a rotation deletes the old record.
    """

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id:
            store = self.config.get_store_from_app(connection.scope["app"])
            try:
                data = await self.get(session_id, store=store)
            except (RedisError, OSError) as error:  # the store is away: a 503 to retry, not a 500
                raise ServiceUnavailable(SESSIONS_AWAY, retry_after=1) from error
            if data is not None:
                connection.scope["zc_known_session_id"] = session_id  # type: ignore[typeddict-unknown-key]
                return self.deserialize_data(data)
        return {}

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        known = scope.get("zc_known_session_id")
        if known and not scope.get(ROTATE_SESSION_KEY):
            return str(known)
        if not scope.get(_NEW_SESSION_ID_KEY):
            scope[_NEW_SESSION_ID_KEY] = self.generate_session_id()
        return str(scope[_NEW_SESSION_ID_KEY])

    async def store_in_message(self, scope_session: Any, message: Any, connection: Any) -> None:
        scope = connection.scope
        old_id = scope.get("zc_known_session_id")
        if scope_session is Empty or not scope_session:
            # Anonymous traffic stores nothing: a bot without cookies must not fill the store.
            if old_id:
                await super().store_in_message(Empty, message, connection)
            return
        if old_id and scope.get(ROTATE_SESSION_KEY):
            await self.delete(old_id, store=self.config.get_store_from_app(scope["app"]))
        await super().store_in_message(scope_session, message, connection)


class StoreFailSafeSessionMiddleware(SessionMiddleware[Any]):
    """The session is stored as the response starts. If the store (Redis) fails there, Litestar
    would raise after the start: no before-send hook runs, so the request's DB transaction is never
    rolled back and its connection stays "idle in transaction", holding its locks, and the client
    gets a broken response. Here a 503 `{code, message}` goes out in the response's place instead:
    the DB hook sees the 503 and rolls back, and the handler's own body is dropped."""

    def create_send_wrapper(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Callable[[Message], Awaitable[None]]:
        replaced = False

        async def wrapped_send(message: Message) -> None:
            nonlocal replaced
            if message["type"] != "http.response.start":
                if not replaced:
                    await connection.send(message)
                return
            try:
                await self.backend.store_in_message(connection.scope.get("session"), message, connection)
            except (RedisError, OSError) as error:
                replaced = True
                await _store_unavailable(connection, error)
                return
            await connection.send(message)

        return wrapped_send


async def _store_unavailable(connection: ASGIConnection[Any, Any, Any, Any], error: Exception) -> None:
    logging.getLogger("zhongcao").warning("session store failed on %s: %r", connection.url.path, error)
    request: Request[Any, Any, Any] = Request(connection.scope, connection.receive, connection.send)
    failure = ServiceUnavailable(SESSIONS_AWAY, retry_after=1)
    response = error_response(request, failure.status_code, failure.to_body(), failure.retry_after)
    await response.to_asgi_response(app=None, request=request)(
        connection.scope, connection.receive, connection.send
    )


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(StoreFailSafeSessionMiddleware, backend=self._backend_class(config=self))


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """Double-submit CSRF for cookie sessions; a request carrying only a Bearer token skips it.

    A cross-site page cannot attach an Authorization header without a CORS preflight that we never
    grant, so Bearer requests are not forgeable. A request that also carries the session cookie is
    still checked.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._bearer_only(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _bearer_only(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        cookies = headers.get(b"cookie", b"").decode("latin-1")
        return authorization.lower().startswith("bearer ") and "session=" not in cookies


def origin_allowed(socket: ASGIConnection[Any, Any, Any, Any], settings: Any) -> bool:
    """Cross-site websocket hijacking guard: a browser's Origin must be this site (or listed)."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookies are at stake
    if origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == socket.headers.get("host", "")
