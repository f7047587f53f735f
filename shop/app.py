"""The one composition root: `create_app()` wires settings, storage, stores and every domain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, cast

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, MediaType, get
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from live import sampler
from live.analytics_pages import LiveDashboardPages, StreamAnalyticsController
from live.channel import stream_socket
from live.controllers import StreamController
from live.counters import RoomCounters
from live.deps import STATE_KEY as ROOM_PARTS
from live.deps import RoomParts
from live.flash_sales import jobs as flash_sale_jobs
from live.flash_sales.controllers import FlashSaleController
from live.flash_sales.deps import ReservationParts
from live.flash_sales.gate import Gate, MemoryGate, RedisGate
from live.flash_sales.lane import ReservationLane
from live.flash_sales.ticker import StockTicker
from live.moderation.controllers import CONTROLLERS as MODERATION_CONTROLLERS
from live.pages import LivePages
from live.video import jobs as video_jobs
from live.video.controllers import RtmpController, RtmpHookController, VideoFiles
from live.video.ingest import ingest_socket, slots_of
from payments import webhooks
from payments.controllers import StripeWebhookController
from payments.gateway import StripeGateway
from shop.accounts import authcache
from shop.accounts import deps as account_deps
from shop.accounts.authcache import AuthCache
from shop.accounts.controllers import AuthController, ProfileController
from shop.accounts.language import LanguageController, LanguagePages
from shop.accounts.pages import AccountPages
from shop.accounts.settings_controllers import MeController
from shop.accounts.settings_pages import SettingsPages
from shop.accounts.welcome_pages import WelcomePages
from shop.addresses.controllers import AddressController
from shop.addresses.pages import AddressPages
from shop.analytics import jobs as engagement_jobs
from shop.analytics.controllers import EventController, FunnelController
from shop.audit.controllers import BooksController
from shop.audit.pages import BooksPages
from shop.cart import deps as cart_deps
from shop.cart.controllers import CartController
from shop.cart.pages import CartPages
from shop.catalog.controllers import ProductController
from shop.catalog.pages import CatalogPages
from shop.catalog.storefront_pages import StorefrontPages
from shop.core import db, redis, runtime
from shop.core.apidocs import StaticRedoc, document_errors
from shop.core.asgi import App
from shop.core.headers import harden
from shop.core.http import exception_handlers
from shop.core.i18n import LocaleMiddleware
from shop.core.pages import templates_config
from shop.core.ratelimit import MemoryAttemptCounter, RedisAttemptCounter
from shop.core.security import BearerAwareCSRFMiddleware, RotatingSessionConfig, use_hash_profile
from shop.core.storage import ImageStore
from shop.creators.controllers import CreatorController
from shop.creators.pages import CreatorPages
from shop.dashboard import deps as dashboard_deps
from shop.dashboard.catalog_pages import DashboardCatalogPages
from shop.dashboard.controllers import DashboardController
from shop.dashboard.order_pages import DashboardOrderPages
from shop.dashboard.pages import DashboardPages
from shop.dashboard.stock_pages import DashboardStockPages
from shop.deals import jobs as deal_jobs
from shop.deals.controllers import DealController, DisputeController, OfferController
from shop.deals.pages import DealPages
from shop.demo import broadcast as demo_broadcast
from shop.inventory.controllers import StockController
from shop.navigation.pages import NavigationPages
from shop.notes.controllers import CommentController, NoteController, UploadController
from shop.notes.pages import NotePages
from shop.notifications.controllers import NotificationController, notification_socket
from shop.notifications.pages import NotificationPages
from shop.notifications.services import Notifier
from shop.operators import deps as operator_deps
from shop.operators.controllers import OperatorController
from shop.operators.pages import OperatorPages
from shop.orders import jobs
from shop.orders.controllers import CheckoutController
from shop.orders.events import OrderEvents
from shop.orders.pages import MerchantOrderPages, OrderPages
from shop.partnerships.controllers import CollaborationController, ShowcaseController
from shop.partnerships.pages import MarketplacePages
from shop.payouts import jobs as payout_jobs
from shop.payouts.controllers import PayoutController
from shop.payouts.pages import PayoutPages
from shop.search.controllers import PeopleController
from shop.search.pages import SearchPages
from shop.settings import ROOT, Settings
from shop.studio.controllers import StudioController
from shop.studio.pages import StudioPages
from shop.translate import providers as translate_providers
from shop.translate.controllers import TranslateController
from shop.wiring import build_order_events, register_live, webhook_handlers

STATIC_DIR = Path(__file__).resolve().parent / "static"


@get("/api/v1/health", media_type=MediaType.JSON, tags=["ops"])
async def health() -> dict[str, str]:
    """A plain JSON endpoint: liveness, and the baseline the benchmarks compare against."""
    return {"status": "ok"}


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Redirect:
    """Browsers ask for /favicon.ico whatever the page says; the icon itself is an SVG."""
    return Redirect("/static/favicon.svg", status_code=301)


def build_gateway(settings: Settings) -> StripeGateway:
    return StripeGateway(
        settings.stripe_key,
        settings.stripe_public_key,
        settings.stripe_signing_secret,
        api_base=settings.stripe_api_base if settings.uses_local_stripe else None,
        connect_webhook_secret=settings.stripe_connect_webhook_secret,
    )


def _job_runner(
    settings: Settings,
    engine: AsyncEngine,
    gateway: StripeGateway,
    events: OrderEvents,
    handlers: webhooks.WebhookHandlers,
    gate: Gate,
    ticker: StockTicker,
    publish: flash_sale_jobs.Publish,
    notifier: Notifier,
    counters: RoomCounters,
) -> Any:
    tasks: list[asyncio.Task[None]] = []
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        if settings.run_jobs:
            tasks.append(
                asyncio.create_task(
                    jobs.run_forever(
                        sessions,
                        gateway,
                        events,
                        handlers,
                        settings.sweep_interval_s,
                        settings.reconcile_interval_s,
                        settings.retry_policy,
                    )
                )
            )
            tasks.append(
                asyncio.create_task(
                    flash_sale_jobs.run_forever(sessions, gate, ticker, publish, 5, settings.retry_policy)
                )
            )
            tasks.append(
                asyncio.create_task(
                    payout_jobs.run_forever(
                        sessions,
                        gateway,
                        fee_bps=settings.platform_fee_bps,
                        window_days=settings.return_window_days,
                        every_s=settings.settle_interval_s,
                    )
                )
            )
            tasks.append(
                asyncio.create_task(
                    deal_jobs.run_forever(
                        sessions, gateway, notifier, settings.sweep_interval_s, settings.retry_policy
                    )
                )
            )
            tasks.append(
                asyncio.create_task(engagement_jobs.run_forever(sessions, settings.sweep_interval_s))
            )
            tasks.append(asyncio.create_task(sampler.run_forever(sessions, counters)))
            publishing = slots_of(_app.state, settings).publishing
            recordings = video_jobs.run_forever(
                sessions, settings.media_dir, settings.recording_retention_days, publishing
            )
            tasks.append(asyncio.create_task(recordings))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()

    return lifespan


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    use_hash_profile(settings.password_hash_profile)
    redis_client = redis.connect(settings.redis_url) if settings.redis_url else None
    session_store: Store = (
        RedisStore(redis_client, namespace=f"{settings.redis_prefix}:sessions")
        if redis_client
        else MemoryStore()
    )
    attempts = (
        RedisAttemptCounter(redis_client, settings.redis_prefix) if redis_client else MemoryAttemptCounter()
    )
    images = ImageStore(settings.media_dir, settings.upload_max_bytes, settings.upload_max_pixels)
    gateway = build_gateway(settings)
    engine = db.build_engine(settings)
    csrf = CSRFConfig(
        secret=settings.signing_key,
        cookie_name="csrftoken",
        header_name="x-csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        # Server-to-server: Stripe signs its webhook; the media server's hooks carry a stream key.
        exclude=["/payments/stripe/webhook", "^/api/v1/rtmp/on_publish(_done)?$"],
    )
    sessions = RotatingSessionConfig(
        store="sessions",
        key="session",
        max_age=settings.session_max_age_s,
        secure=settings.secure_cookies,
        samesite="lax",
        httponly=True,
    )

    def value(obj: Any) -> Provide:
        return Provide(lambda: obj, use_cache=True, sync_to_thread=False)

    channels = ChannelsPlugin(
        backend=redis.SteadyChannelsBackend(redis=redis_client) if redis_client else MemoryChannelsBackend(),
        arbitrary_channels_allowed=True,
        # A slow viewer loses its oldest messages (and resumes by seq); it never holds up the others.
        subscriber_max_backlog=256,
        subscriber_backlog_strategy="dropleft",
    )
    state = State({"sessions": async_sessionmaker(engine, expire_on_commit=False)})
    gate: Gate = RedisGate(redis_client, settings.redis_prefix) if redis_client else MemoryGate()
    auth_cache = AuthCache(redis_client, settings.redis_prefix)
    authcache.install(auth_cache)
    ticker = StockTicker(channels.publish, gate.remaining)
    counters = RoomCounters(channels.publish, redis_client, settings.redis_prefix)
    notifier = Notifier(channels.publish)
    register_live()
    order_events = build_order_events(gate, notifier, settings)
    handlers = webhook_handlers(order_events, notifier)
    state.update(order_events=order_events, webhook_handlers=handlers)
    # Read from the state by the reservation hot path (a dependency each would cost it a task).
    state.update(auth_cache=auth_cache, reservation_parts=ReservationParts(gate, ticker, attempts, settings))
    state[ROOM_PARTS] = RoomParts(channels, counters, attempts, settings)  # the same, for the room's socket
    translator = translate_providers.build(settings)
    app = App(
        route_handlers=[
            health,
            favicon,
            AuthController,
            ProfileController,
            ProductController,
            StockController,
            DashboardCatalogPages,
            DashboardStockPages,
            MeController,
            NoteController,
            CommentController,
            UploadController,
            CartController,
            CheckoutController,
            StripeWebhookController,
            StreamController,
            *MODERATION_CONTROLLERS,
            FlashSaleController,
            stream_socket,
            ingest_socket,
            NotificationController,
            notification_socket,
            NotificationPages,
            NavigationPages,
            AddressController,
            CollaborationController,
            OfferController,
            DealController,
            DisputeController,
            DealPages,
            EventController,
            FunnelController,
            DashboardController,
            DashboardPages,
            DashboardOrderPages,
            PayoutController,
            PayoutPages,
            ShowcaseController,
            MarketplacePages,
            CreatorController,
            CreatorPages,
            AddressPages,
            OrderPages,
            MerchantOrderPages,
            AccountPages,
            CatalogPages,
            SettingsPages,
            LanguagePages,
            LanguageController,
            WelcomePages,
            NotePages,
            StorefrontPages,
            CartPages,
            LivePages,
            VideoFiles,
            RtmpController,
            RtmpHookController,
            LiveDashboardPages,
            StreamAnalyticsController,
            PeopleController,
            SearchPages,
            StudioController,
            StudioPages,
            OperatorController,
            OperatorPages,
            BooksController,
            BooksPages,
            TranslateController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
            create_static_files_router(
                path="/media", directories=[settings.media_dir], name="media", include_in_schema=False
            ),
        ],
        dependencies={
            **account_deps.dependencies,
            **cart_deps.dependencies,
            **operator_deps.dependencies,
            **dashboard_deps.dependencies,
            "settings": value(settings),
            "attempts": value(attempts),
            # Not "images": a dependency named like a body field turns that field's 422 into a 500.
            "image_store": value(images),
            "gateway": value(gateway),
            "retry_policy": value(settings.retry_policy),
            "gate": value(gate),
            "auth_cache": value(auth_cache),
            "ticker": value(ticker),
            "counters": value(counters),
            "notifier": value(notifier),
            "order_events": value(order_events),
            "webhook_handlers": value(handlers),
            "translator": value(translator),
        },
        plugins=[SQLAlchemyPlugin(config=db.sqlalchemy_config(settings, engine)), channels],
        state=state,
        lifespan=[
            _job_runner(
                settings,
                engine,
                gateway,
                order_events,
                handlers,
                gate,
                ticker,
                channels.publish,
                notifier,
                counters,
            ),
            demo_broadcast.lifespan(settings, engine),
        ],
        # The language first: a CSRF refusal is answered in the reader's language too.
        middleware=[
            LocaleMiddleware,
            DefineMiddleware(BearerAwareCSRFMiddleware, config=csrf),
            sessions.middleware,
        ],
        stores={"sessions": session_store},
        template_config=templates_config(ROOT / "templates"),
        exception_handlers=exception_handlers,
        openapi_config=OpenAPIConfig(
            title="zhongcao",
            version="1.0.0",
            path="/schema",
            # Redoc from our own static files (vendored npm `redoc`), no web fonts: /schema works offline.
            render_plugins=[
                StaticRedoc(
                    spec_url="/schema/openapi.json",
                    path="/",
                    favicon="<link rel='icon' href='/static/favicon.svg' type='image/svg+xml'>",
                )
            ],
        ),
        request_max_body_size=settings.request_max_body_size,
        debug=settings.debug,
        on_startup=[runtime.tune_gc],
        # The engine is ours (the plugin was handed it), so is closing its pool.
        on_shutdown=[
            engine.dispose,
            partial(db.release_engine, engine),
            *([redis_client.aclose] if redis_client else []),
        ],
    )
    # The Translate links show only when a provider is configured (templates/components/translate.html).
    jinja = cast(JinjaTemplateEngine, app.template_engine).engine
    jinja.globals["translation_enabled"] = translator.available
    if settings.reservation_lane:
        app.lanes.append(ReservationLane(app))
    return harden(document_errors(app), settings)
