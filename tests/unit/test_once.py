"""shop/core/once.py: a herd asking for one key at once shares the first caller's work."""

import asyncio

import pytest

from shop.core.once import Once


def test_a_herd_on_one_key_runs_the_work_once_and_each_key_has_its_own() -> None:
    runs: list[str] = []

    def work(key: str) -> object:
        async def read() -> str:
            runs.append(key)
            await asyncio.sleep(0.01)
            return key.upper()

        return read

    async def main() -> list[str]:
        once: Once[str, str] = Once()
        herd = await asyncio.gather(*(once(key, work(key)) for key in ["a"] * 50 + ["b"] * 3))
        return [*herd, await once("a", work("a"))]  # asked again later: the work runs again

    answers = asyncio.run(main())
    assert answers == ["A"] * 50 + ["B"] * 3 + ["A"]
    assert runs == ["a", "b", "a"]


def test_when_the_first_callers_work_fails_each_waiter_does_its_own() -> None:
    runs = 0

    async def flaky() -> int:
        nonlocal runs
        runs += 1
        this_run = runs
        await asyncio.sleep(0.01)
        if this_run == 1:
            raise ConnectionError("the database went away for a moment")
        return this_run

    async def main() -> list[object]:
        once: Once[str, int] = Once()
        return await asyncio.gather(*(once("k", flaky) for _ in range(4)), return_exceptions=True)

    first, *others = asyncio.run(main())
    assert isinstance(first, ConnectionError)
    assert sorted(others) == [2, 3, 4]  # type: ignore[type-var]
    assert runs == 4


def test_the_first_callers_cancellation_is_not_its_waiters() -> None:
    async def main() -> int:
        once: Once[str, int] = Once()
        started = asyncio.Event()

        async def slow() -> int:
            started.set()
            await asyncio.sleep(10)
            return 1

        leader = asyncio.create_task(once("k", slow))
        await started.wait()
        waiter = asyncio.create_task(once("k", lambda: asyncio.sleep(0, result=2)))
        await asyncio.sleep(0)
        leader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leader
        return await waiter

    assert asyncio.run(main()) == 2
