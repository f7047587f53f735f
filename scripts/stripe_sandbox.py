"""Run localstripe (the local Stripe test-mode server) on 127.0.0.1, without its pickle file.

The stock `localstripe` command binds every interface and pickles its whole store after every
write (4 ms → 400 ms per call). This runner binds loopback only and keeps the store in memory.
With --webhook-url and --webhook-secret it registers the app's webhook once the server is up.
It also sends two signed events localstripe lacks: `charge.refunded` (the charge with its
`payment_intent`, `amount_refunded` and refunds) after a refund, and `payment_intent.canceled`
after a cancel; and `DELETE /_config/webhooks/{id}` unregisters a webhook (tests clean up with it).
Lists come newest first, as Stripe's do.
Stripe Connect (accounts, onboarding links and page, transfers, reversals, `transfer_group`) comes
from `_sandbox_connect.py` (which says what it serves) and `_sandbox_connect_http.py`.

    python scripts/stripe_sandbox.py [--port 8420] [--webhook-url URL --webhook-secret SECRET]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable

import _sandbox_connect_http
from aiohttp import ClientSession, web
from localstripe import resources, webhooks
from localstripe.resources import Charge, Event, PaymentIntent
from localstripe.server import app

WEBHOOK_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
    *_sandbox_connect_http.EVENTS,
]
CANCEL_PATH = re.compile(r"^/v1/payment_intents/(pi_\w+)/cancel$")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def missing_events(request: web.Request, handler: Handler) -> web.StreamResponse:
    """After a refund or a cancel succeeded, send the event real Stripe would send.

    A middleware, because localstripe binds its cancel route to the method at import time. The
    event is built from the object as the store has it now, signed and sent by localstripe itself.
    """
    response = await handler(request)
    if request.method != "POST" or response.status != 200 or not isinstance(response, web.Response):
        return response
    if request.path == "/v1/refunds" and response.text:
        charge = Charge._api_retrieve(json.loads(response.text)["charge"])
        webhooks.schedule_webhook(Event("charge.refunded", charge))
    elif match := CANCEL_PATH.match(request.path):
        webhooks.schedule_webhook(Event("payment_intent.canceled", PaymentIntent._api_retrieve(match[1])))
    return response


async def unregister_webhook(request: web.Request) -> web.Response:
    webhooks._webhooks.pop(request.match_info["id"], None)
    return web.Response()


def _no_pickle(_store: object) -> None:
    """Keep the store in memory: a fresh sandbox per run is what tests and the demo want."""


async def register_webhook(port: int, url: str, secret: str) -> None:
    form = [("url", url), ("secret", secret)] + [("events[]", event) for event in WEBHOOK_EVENTS]
    async with ClientSession() as session:
        for _ in range(50):
            try:
                async with session.post(f"http://127.0.0.1:{port}/_config/webhooks/zhongcao", data=form) as r:
                    r.raise_for_status()
                    print(f"stripe sandbox: webhook registered for {url}", flush=True)
                    return
            except OSError:
                await asyncio.sleep(0.1)
    raise SystemExit("stripe sandbox: could not register the webhook")


_LIST_ALL = resources.StripeObject._api_list_all.__func__  # type: ignore[attr-defined]


def _newest_first(
    cls: type, url: str, limit: int | None = None, starting_after: str | None = None, **kw: object
) -> object:
    """Stripe lists newest first; localstripe lists in insertion order, so a job that reads the
    first page (reconcile's last 100 PaymentIntents) would never see a new one past the 100th."""
    listed = _LIST_ALL(cls, url, limit=limit, starting_after=starting_after, **kw)
    listed._list.reverse()
    return listed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args()
    resources.Store.dump_to_disk = _no_pickle  # type: ignore[method-assign]
    resources.StripeObject._api_list_all = classmethod(_newest_first)  # type: ignore[assignment]
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_startup(_app: web.Application) -> None:
        if args.webhook_url and args.webhook_secret:
            asyncio.get_running_loop().create_task(
                register_webhook(args.port, args.webhook_url, args.webhook_secret)
            )

    app.on_startup.append(on_startup)
    app.middlewares.append(missing_events)
    app.router.add_delete("/_config/webhooks/{id}", unregister_webhook)
    _sandbox_connect_http.install(app)
    print(f"stripe sandbox: localstripe on http://127.0.0.1:{args.port}", flush=True)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
