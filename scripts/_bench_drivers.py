"""The buyer and host drivers of bench_live. They run in the benchmark's own process and stamp with
time.time(), the clock the viewers' process stamps arrivals with.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from typing import Any

import httpx


async def buy_steadily(base: str, sale_id: int, tokens: list[str], rate: float, seconds: float) -> Any:
    """Open loop: one reservation every 1/rate s whatever the latency; keeps (response time, remaining)."""
    purchases: list[tuple[float, int]] = []
    problems = Counter[str]()
    path = f"/api/v1/flash-sales/{sale_id}/reservations"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def buy(token: str) -> None:
            try:
                response = await client.post(
                    path, json={"quantity": 1}, headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError as error:
                problems[type(error).__name__] += 1
                return
            if response.status_code != 201:
                problems[f"HTTP {response.status_code}"] += 1
                return
            purchases.append((time.time(), int(response.json()["remaining"])))

        await client.get("/api/v1/health")
        started, tasks = time.perf_counter(), []
        for i, token in zip(range(int(rate * seconds)), itertools.cycle(tokens), strict=False):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(buy(token)))
        await asyncio.gather(*tasks)
    return purchases, dict(problems)


async def pin_storm(base: str, auth: str, room: dict[str, int], events: int, concurrency: int) -> int:
    """The host pins and unpins the shelf product as fast as the server answers (not rate limited)."""
    numbers, answers = itertools.count(), Counter[str]()
    path = f"/api/v1/streams/{room['stream_id']}/pin"
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": auth}, timeout=30) as client:

        async def worker() -> None:
            while (i := next(numbers)) < events:
                pin = i % 2 == 0
                try:
                    body = {"product_id": room["product_id"]} if pin else None
                    response = await client.request("POST" if pin else "DELETE", path, json=body)
                    answers[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    answers[type(error).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    if set(answers) != {"200"}:
        print(f"    !! host answers: {dict(answers)}")
    return answers["200"]
