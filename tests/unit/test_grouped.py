"""shop/core/grouped.py: the calls made at once share one round trip; each caller gets its own answer."""

import asyncio

import pytest

from shop.core.grouped import Grouped


def test_calls_made_at_once_share_one_trip_and_each_gets_its_own_result() -> None:
    trips: list[list[int]] = []

    async def squares(numbers: list[int]) -> list[int | None]:
        trips.append(list(numbers))
        await asyncio.sleep(0.01)
        return [None if n == 7 else n * n for n in numbers]

    async def main() -> list[int | None]:
        grouped: Grouped[int, int | None] = Grouped(squares, max_batch=4)
        first = await asyncio.gather(*(grouped.call(n) for n in (1, 2, 2, 3, 7, 5)))
        later = await grouped.call(4)  # a call after the rush is a trip of its own
        return [*first, later]

    assert asyncio.run(main()) == [1, 4, 4, 9, None, 25, 16]
    # Six calls, at most four a trip, in the order they were made: two trips for the rush, one after.
    assert trips == [[1, 2, 2, 3], [7, 5], [4]]


def test_a_failed_trip_fails_each_of_its_callers_and_the_next_trip_goes_on() -> None:
    async def flaky(words: list[str]) -> list[str]:
        if "bad" in words:
            raise ConnectionError("store away")
        return [word.upper() for word in words]

    async def main() -> tuple[list[object], str]:
        grouped: Grouped[str, str] = Grouped(flaky)
        failed = await asyncio.gather(grouped.call("a"), grouped.call("bad"), return_exceptions=True)
        return failed, await grouped.call("b")

    failed, after = asyncio.run(main())
    assert [type(outcome) for outcome in failed] == [ConnectionError, ConnectionError]
    assert after == "B"


def test_a_caller_that_stops_waiting_leaves_the_others_their_answer() -> None:
    async def slow(numbers: list[int]) -> list[int]:
        await asyncio.sleep(0.02)
        return [-n for n in numbers]

    async def main() -> int:
        grouped: Grouped[int, int] = Grouped(slow)
        gone = asyncio.ensure_future(grouped.call(1))
        kept = asyncio.ensure_future(grouped.call(2))
        await asyncio.sleep(0.005)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await kept

    assert asyncio.run(main()) == -2


def test_a_trip_cancelled_mid_flight_cancels_its_callers_instead_of_leaving_them_waiting() -> None:
    async def never(numbers: list[int]) -> list[int]:
        await asyncio.sleep(3600)
        return numbers

    async def main() -> None:
        grouped: Grouped[int, int] = Grouped(never)
        waiting = asyncio.ensure_future(grouped.call(1))
        await asyncio.sleep(0.01)
        assert grouped._task is not None
        grouped._task.cancel()  # what the loop's shutdown does to a pending trip
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(waiting, 1)  # without the fix: TimeoutError after 1 s

    asyncio.run(main())
