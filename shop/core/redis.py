"""The Redis client, when `REDIS_URL` is set. Short timeouts: a hung Redis must fail fast."""

from __future__ import annotations

from redis.asyncio import Redis


def connect(url: str) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=30,
        decode_responses=False,
    )
