"""Run localstripe (the local Stripe test-mode server) on 127.0.0.1, without its pickle file.

The stock `localstripe` command binds every interface and pickles its whole store after every
write (4 ms → 400 ms per call). This runner binds loopback only and keeps the store in memory.
With --webhook-url and --webhook-secret it registers the app's webhook once the server is up.

    python scripts/stripe_sandbox.py [--port 8420] [--webhook-url URL --webhook-secret SECRET]
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aiohttp import ClientSession, web
from localstripe import resources
from localstripe.server import app

WEBHOOK_EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed"]


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args()
    resources.Store.dump_to_disk = _no_pickle  # type: ignore[method-assign]
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_startup(_app: web.Application) -> None:
        if args.webhook_url and args.webhook_secret:
            asyncio.get_running_loop().create_task(
                register_webhook(args.port, args.webhook_url, args.webhook_secret)
            )

    app.on_startup.append(on_startup)
    print(f"stripe sandbox: localstripe on http://127.0.0.1:{args.port}", flush=True)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
