"""How errors leave the server: JSON `{code, message, fields}` for the API, pages for browsers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shop.core import i18n
from shop.core.errors import AppError, AuthenticationRequired, ServiceUnavailable
from shop.core.i18n import N_, gettext

log = logging.getLogger("zhongcao")

# Only the API, Stripe's webhook and the room's websocket answer in JSON. The other /live/ paths
# are pages (room, console, replay, go-live form): they get the error page and the login redirect.
JSON_PREFIXES = ("/api/", "/payments/", "/live/streams/")


def wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(JSON_PREFIXES) or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request[Any, Any, Any], status: int, body: dict[str, Any], retry_after: int | None = None
) -> Response[Any]:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    body = _in_language(request, body)
    if wants_json(request):
        return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)
    return Template(
        template_name="error.html",
        context={"status": status, "error": body},
        status_code=status,
        headers=headers,
    )


def _in_language(request: Request[Any, Any, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The message and field errors in the reader's language (they are the catalog's English msgids).

    A request refused before routing (an unknown path) never passed the locale middleware: negotiate here.
    """
    if i18n.current() is None:
        i18n.use(
            i18n.negotiate(
                request.scope.get("query_string", b""),
                request.cookies,
                request.headers.get("accept-language"),
            )
        )
    return translated(body)


def translated(body: dict[str, Any]) -> dict[str, Any]:
    """The body's message and field errors in the current language."""
    result = dict(body, message=gettext(str(body.get("message", ""))))
    if isinstance(body.get("fields"), dict):
        fields = body["fields"].items()
        result["fields"] = {key: i18n.translate_field_error(str(text)) for key, text in fields}
    return result


def on_app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    if isinstance(exc, AuthenticationRequired) and not wants_json(request) and request.method == "GET":
        return Redirect(path=f"/login?next={quote(request.url.path)}")
    return error_response(request, exc.status_code, exc.to_body(), exc.retry_after)


def on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    fields: dict[str, str] = {}
    for problem in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(problem, dict):
            key = str(problem.get("key") or problem.get("source") or "body")
            fields.setdefault(key, str(problem.get("message", N_("Invalid value."))))
    body = {"code": "validation_error", "message": N_("Some fields are not valid."), "fields": fields}
    return error_response(request, 422, body)


_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return on_internal_error(request, exc)
    message = exc.detail or N_("The request could not be processed.")
    code = _CODES.get(status, "bad_request")
    if status == 400 and "json" in message.lower():
        code, message = "malformed_json", N_("The request body is not valid JSON.")
    elif isinstance(exc, PermissionDeniedException) and "CSRF" in message:
        code, message = (
            "csrf_failed",
            N_("The CSRF token is missing or wrong. Reload the page and try again."),
        )
    elif isinstance(exc, NotFoundException):
        message = N_("Not found.")
    elif isinstance(exc, NotAuthorizedException):
        message = N_("Sign in to continue.")
    return error_response(request, status, {"code": code, "message": message})


def on_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = {"code": "internal_error", "message": N_("Something went wrong on our side. Please try again.")}
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, body)


def on_database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """A connection lost mid-request (the server restarted, failed over, or killed the backend) is
    the database being briefly away, not a bug: 503 and a retry. SQLAlchemy has already thrown the
    dead connection out of the pool, and the transaction died with it, so nothing is half-written."""
    if not (exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))):
        return on_internal_error(request, exc)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
    away = ServiceUnavailable(
        N_("The database is briefly unavailable. Try again in a moment."), retry_after=1
    )
    return on_app_error(request, away)


def on_service_timeout(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Redis away (paused, restarting, unreachable) or any call that timed out: a moment's outage,
    not a bug. The calls that know better guard themselves (the gate fails closed, counters fall
    back); this is the answer for every other one, so none can leak a 500."""
    log.warning("service unavailable on %s %s: %r", request.method, request.url.path, exc)
    return on_app_error(request, ServiceUnavailable(N_("Please try again in a moment."), retry_after=2))


exception_handlers: dict[Any, Any] = {
    AppError: on_app_error,
    DBAPIError: on_database_error,
    RedisError: on_service_timeout,
    TimeoutError: on_service_timeout,  # asyncio's too: one class since Python 3.11
    ValidationException: on_validation_error,
    HTTPException: on_http_exception,
    Exception: on_internal_error,
}


def safe_path(target: object, fallback: str = "/") -> str:
    """A same-site path to send a browser back to, else `fallback` (never an open redirect).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/\t/evil" and
    "/\\evil" would leave the site like "//evil" does: anything with those, or a host, is refused.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return fallback
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target) or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else fallback
