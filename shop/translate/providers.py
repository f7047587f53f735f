"""Translation providers, by name (TRANSLATE_PROVIDER): `none` and `libretranslate` here; another (a
cloud API, or a local model the operator installed and serves) registers a factory under its name.

A provider translates a batch of jobs and answers, per job, the text or a `ProviderError`: one
failing text never fails the others, and no provider error ever reaches the reader as a 500.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

from shop.settings import Settings

# A provider's answer is read up to this many bytes: a broken one cannot stream us a gigabyte.
MAX_RESPONSE_BYTES = 64 * 1024
CONCURRENT_CALLS = 4


class ProviderError(Exception):
    """Why a text was not translated: unreachable, timeout, provider_error or bad_response."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Job:
    text: str
    source: str  # our language codes: "en", "zh_Hans"
    target: str


@runtime_checkable
class Provider(Protocol):
    name: str
    available: bool

    async def translate(self, jobs: Sequence[Job]) -> list[str | ProviderError]: ...


class NoProvider:
    """The default: translation is off, the links are hidden and the API answers 503."""

    name = "none"
    available = False

    async def translate(self, jobs: Sequence[Job]) -> list[str | ProviderError]:
        return [ProviderError("unavailable") for _ in jobs]


@dataclass(frozen=True)
class LibreTranslate:
    """Any LibreTranslate-compatible API: POST {url}/translate, one text per call (`q` a string,
    which every compatible server accepts), a few calls at a time, all within one deadline."""

    url: str
    api_key: str | None
    timeout_s: float
    zh_code: str = "zh"  # the server's code for Simplified Chinese (TRANSLATE_ZH_CODE)
    name = "libretranslate"
    available = True

    def code(self, language: str) -> str:
        return self.zh_code if language == "zh_Hans" else language

    def payload(self, job: Job) -> dict[str, str]:
        body = {"q": job.text, "source": self.code(job.source), "target": self.code(job.target)}
        body["format"] = "text"
        if self.api_key:
            body["api_key"] = self.api_key
        return body

    async def translate(self, jobs: Sequence[Job]) -> list[str | ProviderError]:
        gate = asyncio.Semaphore(CONCURRENT_CALLS)
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as http:

            async def one(job: Job) -> str | ProviderError:
                async with gate:
                    return await self._call(http, job)

            try:
                async with asyncio.timeout(self.timeout_s):
                    return list(await asyncio.gather(*(one(job) for job in jobs)))
            except TimeoutError:
                return [ProviderError("timeout") for _ in jobs]

    async def _call(self, http: httpx.AsyncClient, job: Job) -> str | ProviderError:
        try:
            endpoint = self.url.rstrip("/") + "/translate"
            async with http.stream("POST", endpoint, json=self.payload(job)) as got:
                raw = await _read_capped(got)
                status = got.status_code
        except httpx.TimeoutException:
            return ProviderError("timeout")
        except (httpx.HTTPError, OSError):
            return ProviderError("unreachable")
        if raw is None:
            return ProviderError("bad_response")
        if status != 200:
            return ProviderError("provider_error")
        return _translated_text(raw)


async def _read_capped(response: httpx.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _translated_text(raw: bytes) -> str | ProviderError:
    """`translatedText` of a JSON object; anything else (an HTML page, a list) is a bad response."""
    try:
        data = json.loads(raw)
    except ValueError:
        return ProviderError("bad_response")
    text = data.get("translatedText") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return ProviderError("bad_response")
    return text


Factory = Callable[[Settings], Provider]
_factories: dict[str, Factory] = {
    "none": lambda _settings: NoProvider(),
    "libretranslate": lambda s: LibreTranslate(
        s.translate_url, s.translate_api_key, s.translate_timeout_s, s.translate_zh_code
    ),
}


def register(name: str, factory: Factory) -> None:
    """Another provider, chosen with TRANSLATE_PROVIDER=name (registered before the app is built)."""
    _factories[name] = factory


def build(settings: Settings) -> Provider:
    try:
        factory = _factories[settings.translate_provider]
    except KeyError:
        names = ", ".join(sorted(_factories))
        raise ValueError(f"TRANSLATE_PROVIDER must be one of {names}") from None
    return factory(settings)
