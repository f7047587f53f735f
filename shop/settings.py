"""Runtime settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shop.core.retry import RetryPolicy

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    port: int = 8000
    var_dir: Path = ROOT / "var"
    debug: bool = False
    # Key namespace inside Redis so several apps (or test runs) can share one server.
    redis_prefix: str = "zc"

    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    # The signing secret of a second endpoint that receives connected accounts' events (Connect).
    stripe_connect_webhook_secret: str | None = None
    stripe_api_base: str = "http://127.0.0.1:8420"

    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    request_max_body_size: int = 12 * 1024 * 1024
    session_max_age_s: int = 14 * 24 * 3600
    # The cost of new password hashes: "standard" (argon2id, 64 MiB, 3 passes) or "cheapest",
    # for test suites only (see shop.core.security.HASH_PROFILES).
    password_hash_profile: Literal["standard", "cheapest"] = "standard"  # noqa: S105 (a cost, not a secret)
    login_failures_per_account: int = 5
    login_failures_per_ip: int = 30
    login_failure_window_s: int = 15 * 60
    # Anti-scalping: a farm of accounts, or one account's bots, cannot sit on a sale's stock.
    signups_per_ip_per_hour: int = 20
    reservations_per_account_per_minute: int = 20
    # Generous: many phones share one carrier-grade NAT address during a flash sale.
    reservations_per_ip_per_minute: int = 300
    max_units_held: int = 10  # units one account holds at once across every sale
    # Bearer reservations answered beside Litestar's chain (live/flash_sales/lane.py); off
    # (RESERVATION_LANE=0), every reservation goes through the chain, as before the lane.
    reservation_lane: bool = True
    # Cookies are marked Secure when this is set, when PUBLIC_BASE_URL is https, or when the request
    # itself came over https (TLS ended at uvicorn). Behind a TLS proxy, set one of the first two.
    cookie_secure: bool = False
    allowed_origins: list[str] = Field(default_factory=list)
    # The names this site answers for (Host header, port ignored; "*.example.com" takes subdomains,
    # "*" any). Any other Host gets 400, so a forged Host never reaches links or redirects. The
    # defaults are the local demo's and the test clients'.
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]", "testserver", "testserver.local"]
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the URLs people paste (postgres://, postgresql://) and pick the async driver.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        return value

    hold_minutes: int = 10
    reconcile_interval_s: int = 300
    sweep_interval_s: int = 30
    # A job item (stored event, refund, expiring hold, flash sale) that fails is retried at the next
    # pass, then after 1, 2, 4… times this many seconds (capped at an hour), given up after N tries.
    job_max_attempts: int = 8
    job_retry_base_s: float = 60.0
    # Where Stripe (or the local sandbox) delivers webhooks; the demo registers it with localstripe.
    public_base_url: str = ""
    run_jobs: bool = True
    # Open collaborations: a commission cut applies to orders placed this long after it is announced.
    commission_notice_days: int = Field(default=2, ge=0, le=90)
    # Paid partnerships: an offer unanswered this long expires (its held fee is refunded); a
    # submission unreviewed this long is approved; a published deliverable is protected this long.
    offer_expiry_days: int = Field(default=7, ge=1, le=90)
    deal_review_days: int = Field(default=7, ge=1, le=90)
    protection_days: int = Field(default=30, ge=0, le=365)
    # Payouts: a shipped line may be paid out once its return window closed; the platform keeps
    # this share of each merchant's net sales.
    return_window_days: int = Field(default=7, ge=0, le=365)
    platform_fee_bps: int = Field(default=500, ge=0, le=5000)
    settle_interval_s: float = 3600.0
    # Translating what people wrote (shop/translate): "none" hides the links; "libretranslate" calls
    # any LibreTranslate-compatible API at TRANSLATE_URL. The app never downloads a model itself.
    translate_provider: str = "none"
    translate_url: str = "http://127.0.0.1:5000"
    translate_api_key: str | None = None
    translate_timeout_s: float = Field(default=5.0, gt=0, le=60)
    translate_per_user_per_minute: int = Field(default=30, ge=1, le=10_000)
    # Simplified Chinese is "zh" to LibreTranslate up to 1.6; newer servers also take "zh-Hans".
    translate_zh_code: str = Field(default="zh", pattern=r"^[A-Za-z-]{2,12}$")

    # Live video (live/video): the browser's WebM is cut into HLS segments of this length; a chunk over
    # the socket is bounded; ingest stops before the disk's free space falls under the floor; a dropped
    # publisher keeps its stream for the grace period; recordings are deleted after the retention.
    video_segment_s: float = Field(default=1.0, ge=0.5, le=2.0)
    video_chunk_max_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024, le=16 * 1024 * 1024)
    video_min_free_bytes: int = Field(default=512 * 1024 * 1024, ge=0)
    video_reconnect_grace_s: float = Field(default=30.0, ge=0, le=600)
    recording_retention_days: int = Field(default=30, ge=1, le=3650)
    # OBS or a hardware encoder (the scaled path, README): shown in the host console when set; the
    # stream's playback URL is then RTMP_HLS_BASE + the stream key + ".m3u8".
    rtmp_ingest_url: str = ""
    rtmp_hls_base: str = ""
    # When set, the media server's on_publish hook URL must carry it (`...?secret=`; README).
    rtmp_hook_secret: str = Field(default="", max_length=200)
    # The demo server broadcasts its room on air (shop/demo/broadcast.py): scripts/demo sets it.
    demo_broadcast: bool = False

    @field_validator("stripe_secret_key")
    @classmethod
    def _test_mode_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sk_test_", "rk_test_")):
            raise ValueError(
                "zhongcao runs in Stripe test mode only: STRIPE_SECRET_KEY must start with sk_test_ "
                "(live keys are refused)."
            )
        return value

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.job_max_attempts, base_s=self.job_retry_base_s)

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure or self.public_base_url.startswith("https://")

    @property
    def uses_local_stripe(self) -> bool:
        return not self.stripe_secret_key

    @property
    def stripe_key(self) -> str:
        return self.stripe_secret_key or "sk_test_zhongcao_local"

    @property
    def stripe_public_key(self) -> str:
        return self.stripe_publishable_key or "pk_test_zhongcao_local"

    @property
    def stripe_signing_secret(self) -> str:
        return self.stripe_webhook_secret or "whsec_zhongcao_local"

    @cached_property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{self.var_dir / 'zhongcao.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.var_dir / "media"

    @cached_property
    def signing_key(self) -> str:
        """The secret for CSRF tokens; kept in `var/` when not configured so restarts keep sessions."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
