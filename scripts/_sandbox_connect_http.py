"""The HTTP side of the local server's Stripe Connect (see `_sandbox_connect`, which says what is
served): the onboarding links and page, the test hooks, idempotency keys, and the routes."""

from __future__ import annotations

import copy
import html
import secrets
import time
from dataclasses import dataclass
from typing import Any

from _sandbox_connect import (
    EVENTS,
    Account,
    Transfer,
    TransferReversal,
    add_transfer_groups,
    check,
    referenced,
)
from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import Event, try_convert_to_int
from localstripe.webhooks import schedule_webhook

__all__ = ["EVENTS", "install"]

LINK_LIFETIME_S = 300
SAVED_REFUSALS = {"balance_insufficient", "amount_too_large"}  # refused while running: replayed


@dataclass
class Link:
    account: str
    refresh_url: str
    return_url: str
    expires_at: int
    used: bool = False


_links: dict[str, Link] = {}
_replies: dict[str, tuple[str, Any, int, Any]] = {}  # Idempotency-Key → (path, params, status, body)


def _create_link(account=None, type=None, refresh_url=None, return_url=None, collect=None, **kwargs):
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    referenced(Account, account, "account")
    check(type in ("account_onboarding", "account_update"))
    check(all(isinstance(url, str) and url.startswith("http") for url in (refresh_url, return_url)))
    token = secrets.token_urlsafe(16)
    _links[token] = Link(account, refresh_url, return_url, int(time.time()) + LINK_LIFETIME_S)
    return token, _links[token]


async def create_link(request: web.Request) -> web.Response:
    token, link = _create_link(**(await server.get_post_data(request) or {}))
    url = f"{request.scheme}://{request.host}/_connect/onboarding/{link.account}?token={token}"
    body = {"object": "account_link", "created": int(time.time()), "expires_at": link.expires_at, "url": url}
    return server.json_response(body)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Onboarding (local Stripe)</title></head>
<body><h1>Payouts onboarding</h1>
<p>Local Stripe test mode: no details are asked. Account <code>{account}</code> ({email}).</p>
<form method="post" action="{action}"><button type="submit">Complete onboarding</button></form>
</body></html>"""


async def onboarding(request: web.Request) -> web.StreamResponse:
    """The page a payee reaches from their account link; a used or expired link sends them to
    `refresh_url` (the app then makes a new link), as on Stripe."""
    link = _links.get(request.query.get("token", ""))
    if link is None or link.account != request.match_info["acct"]:
        raise web.HTTPNotFound(text="This onboarding link is not known.")
    if link.used or link.expires_at < time.time():
        raise web.HTTPSeeOther(link.refresh_url)
    account = Account._api_retrieve(link.account)
    if request.method == "GET":
        text = PAGE.format(
            account=html.escape(account.id),
            email=html.escape(account.email or "no email"),
            action=html.escape(request.path_qs),
        )
        return web.Response(text=text, content_type="text/html")
    link.used = True
    account._onboarded()
    raise web.HTTPSeeOther(link.return_url)


async def disable(request: web.Request) -> web.Response:
    account = Account._api_retrieve(request.match_info["acct"])
    account.payouts_enabled = False
    schedule_webhook(Event("account.updated", account))
    return server.json_response(account._export())


async def set_balance(request: web.Request) -> web.Response:
    account = Account._api_retrieve(request.match_info["acct"])
    available = try_convert_to_int((await server.get_post_data(request) or {}).get("available"))
    check(type(available) is int and available >= 0)
    account._available = available
    return server.json_response({"account": account.id, "available": available})


def idempotent(make: Any) -> Any:
    """A POST handler that replays its first answer for the same Idempotency-Key and parameters."""

    async def handler(request: web.Request) -> web.Response:
        params = await server.get_post_data(request) or {}
        if "id" in request.match_info:
            params["id"] = request.match_info["id"]
        expand = params.pop("expand", None)
        key = request.headers.get("Idempotency-Key")
        if key and key in _replies:
            return _replay(key, request.path, params)
        first = copy.deepcopy(params)
        try:
            status, body = 200, make(**params)._export(expand=expand)
        except UserError as error:
            if error.body["error"].get("code") not in SAVED_REFUSALS:
                raise
            status, body = error.code, error.body
        if key:
            _replies[key] = (request.path, first, status, body)
        return server.json_response(body, status=status)

    return handler


def _replay(key: str, path: str, params: Any) -> web.Response:
    first_path, first_params, status, body = _replies[key]
    if (first_path, first_params) != (path, params):
        message = "An idempotency key can only be used again with the parameters it was first used with."
        error = {"error": {"type": "idempotency_error", "message": message}}
        return server.json_response(error, status=400)
    return server.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})


@web.middleware
async def auth_unless_connect_page(request: web.Request, handler: Any) -> web.StreamResponse:
    """The onboarding page and the test hooks are opened without an API key, like `/_config/`."""
    if request.path.startswith("/_connect/"):
        return await handler(request)
    return await server.auth_middleware(request, handler)


@web.middleware
async def flush_connect_state(request: web.Request, handler: Any) -> web.StreamResponse:
    """`DELETE /_config/data` empties the store: forget the links and saved answers with it."""
    if request.method == "DELETE" and request.path == "/_config/data":
        _links.clear()
        _replies.clear()
    return await handler(request)


def install(app: web.Application) -> None:
    """Add Connect to localstripe's app (before it starts)."""
    add_transfer_groups()
    app.middlewares[app.middlewares.index(server.auth_middleware)] = auth_unless_connect_page
    app.middlewares.insert(0, flush_connect_state)
    routes = app.router
    routes.add_post("/v1/accounts", idempotent(Account._api_create))
    routes.add_get("/v1/accounts", server.api_list_all(Account, "/v1/accounts"))
    routes.add_get("/v1/accounts/{id}", server.api_retrieve(Account, "/v1/accounts/{id}"))
    routes.add_post("/v1/accounts/{id}", server.api_update(Account, "/v1/accounts/{id}"))
    routes.add_post("/v1/account_links", create_link)
    routes.add_post("/v1/transfers", idempotent(Transfer._api_create))
    routes.add_get("/v1/transfers", server.api_list_all(Transfer, "/v1/transfers"))
    routes.add_get("/v1/transfers/{id}", server.api_retrieve(Transfer, "/v1/transfers/{id}"))
    routes.add_post("/v1/transfers/{id}/reversals", idempotent(TransferReversal._api_reverse))
    reversals = "/v1/transfers/{id}/reversals"
    routes.add_get(reversals, server.api_extra(TransferReversal._api_list_for, reversals))
    routes.add_route("*", "/_connect/onboarding/{acct}", onboarding)
    routes.add_post("/_connect/accounts/{acct}/disable", disable)
    routes.add_post("/_connect/accounts/{acct}/balance", set_balance)
