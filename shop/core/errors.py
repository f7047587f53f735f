"""Domain errors and how they reach the client.

Every error the application raises on purpose derives from `AppError`::

    AppError                      (400 bad_request)
     ├── InvalidInput             (422 validation_error, with per-field messages)
     ├── AuthenticationRequired   (401 authentication_required)
     │    └── InvalidCredentials  (401 invalid_credentials)
     ├── PermissionDenied         (403 forbidden)
     ├── NotFound                 (404 not_found: also for other users' objects)
     ├── Conflict                 (409 conflict)
     │    ├── AlreadyExists       (409 already_exists)
     │    └── OutOfStock          (409 out_of_stock)
     ├── PayloadTooLarge          (413 payload_too_large)
     ├── RateLimited              (429 rate_limited, with Retry-After)
     └── ServiceUnavailable       (503 service_unavailable, with Retry-After)

JSON clients get `{"code", "message", "fields"?}`; page requests get an error page.
Unexpected exceptions become a 500 with a generic message: no stack trace leaves the server.
"""

from __future__ import annotations

from typing import ClassVar

from shop.core.i18n import N_, gettext


class AppError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = N_("The request could not be processed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        self.retry_after = retry_after
        super().__init__(self.message)

    def to_body(self) -> dict[str, object]:
        """The client's answer in the request's language (the messages are the catalog's msgids)."""
        body: dict[str, object] = {"code": self.code, "message": gettext(self.message)}
        if self.fields:
            body["fields"] = {name: gettext(text) for name, text in self.fields.items()}
        return body


class InvalidInput(AppError):
    status_code = 422
    code = "validation_error"
    default_message = N_("Some fields are not valid.")


class AuthenticationRequired(AppError):
    status_code = 401
    code = "authentication_required"
    default_message = N_("Sign in to continue.")


class InvalidCredentials(AuthenticationRequired):
    code = "invalid_credentials"
    default_message = N_("The email or password is not correct.")


class PermissionDenied(AppError):
    status_code = 403
    code = "forbidden"
    default_message = N_("You are not allowed to do that.")


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = N_("Not found.")


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = N_("The request conflicts with the current state.")


class AlreadyExists(Conflict):
    code = "already_exists"
    default_message = N_("That already exists.")


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = N_("Not enough stock.")


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = N_("The upload is too large.")


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    default_message = N_("Too many attempts. Try again later.")


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    default_message = N_("A service we depend on is unavailable. Try again shortly.")
