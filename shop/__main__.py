"""`python -m shop serve|migrate|seed|reconcile|settle|audit|events|operator`: what `scripts/demo`
runs, and the platform's own chores."""

from __future__ import annotations

import argparse
import asyncio


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shop")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database schema to the latest revision")
    sub.add_parser("seed", help="load the demo data (idempotent)")
    sub.add_parser("reconcile", help="repair orders whose Stripe webhook was lost, expire stale holds")
    sub.add_parser("settle", help="run settlement now: plan and send payable transfers and reversals")
    sub.add_parser("audit", help="check every invariant of the books; exit 1 on any violation")
    events = sub.add_parser("events", help="stored Stripe events")
    events.add_argument("--failed", action="store_true", help="one line per event given up on")
    operator = sub.add_parser("operator", help="the people who run the platform (verify, suspend shops)")
    operator_sub = operator.add_subparsers(dest="operator_command", required=True)
    add = operator_sub.add_parser("add", help="make EMAIL an operator (promote the user, or create one)")
    add.add_argument("email")
    add.add_argument("--password", default=None, help="else a new user gets a random one, printed once")
    operator_sub.add_parser("list", help="one line per operator")
    serve = sub.add_parser("serve", help="serve the app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--quiet", action="store_true", help="no access log (benchmarks)")
    args = parser.parse_args()

    from shop.settings import Settings

    settings = Settings()
    if args.command == "migrate":
        from shop.core.db import migrate

        migrate(settings)
    elif args.command == "reconcile":
        from shop.orders.jobs import run_once

        print(asyncio.run(run_once(settings)))
    elif args.command == "events":
        from shop.orders.jobs import event_report

        for line in asyncio.run(event_report(settings, failed_only=args.failed)):
            print(line)
    elif args.command == "operator":
        raise SystemExit(_operator(settings, args))
    elif args.command == "settle":
        from shop.payouts.jobs import settle_once

        for what, count in asyncio.run(settle_once(settings)).items():
            print(f"{what}: {count}")
    elif args.command == "audit":
        from shop.audit.commands import run_audit

        raise SystemExit(asyncio.run(run_audit(settings)))
    elif args.command == "seed":
        from shop.demo.seed import seed

        asyncio.run(seed(settings))
    else:
        import uvicorn

        uvicorn.run(
            "shop.app:create_app",
            factory=True,
            host=args.host,
            port=args.port or settings.port,
            workers=args.workers,
            ws_per_message_deflate=False,
            # Client frames are small (live.socket_limits answers over 2,048 characters with an
            # error); without a cap uvicorn buffers frames of up to 16 MiB. Larger closes 1009.
            ws_max_size=16 * 1024,
            log_level="info",
            access_log=not args.quiet,
            proxy_headers=False,
        )


def _operator(settings: object, args: argparse.Namespace) -> int:
    from shop.operators import commands

    if args.operator_command == "list":
        code, lines = 0, asyncio.run(commands.run_list(settings))
    else:
        code, lines = asyncio.run(commands.run_add(settings, args.email, args.password))
    for line in lines:
        print(line)
    return code


if __name__ == "__main__":
    main()
