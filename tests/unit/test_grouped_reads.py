"""shop/core/grouped.py: the keys asked at once share one read; each waiter gets its own answer."""

import asyncio

import pytest

from shop.core.grouped import GroupedReads


def test_keys_asked_at_once_share_one_read_and_each_gets_its_own_value() -> None:
    calls: list[list[int]] = []

    async def squares(keys: list[int]) -> dict[int, int]:
        calls.append(sorted(keys))
        await asyncio.sleep(0.01)
        return {key: key * key for key in keys if key != 7}

    async def main() -> list[int | None]:
        reads: GroupedReads[int, int] = GroupedReads(squares, max_batch=4)
        first = await asyncio.gather(*(reads.read(key) for key in (1, 2, 2, 3, 7, 5)))
        later = await reads.read(4)  # a read after the rush is a read of its own
        return [*first, later]

    assert asyncio.run(main()) == [1, 4, 4, 9, None, 25, 16]
    # Five distinct keys, at most four a read: two reads for the rush, one after.
    assert calls == [[1, 2, 3, 7], [5], [4]]


def test_a_failed_read_fails_each_of_its_waiters_and_the_next_read_goes_on() -> None:
    async def flaky(keys: list[str]) -> dict[str, str]:
        if "bad" in keys:
            raise ConnectionError("store away")
        return {key: key.upper() for key in keys}

    async def main() -> tuple[list[object], str | None]:
        reads: GroupedReads[str, str] = GroupedReads(flaky)
        failed = await asyncio.gather(reads.read("a"), reads.read("bad"), return_exceptions=True)
        return failed, await reads.read("b")

    failed, after = asyncio.run(main())
    assert [type(outcome) for outcome in failed] == [ConnectionError, ConnectionError]
    assert after == "B"


def test_a_waiter_that_stops_waiting_leaves_the_others_their_answer() -> None:
    async def slow(keys: list[int]) -> dict[int, int]:
        await asyncio.sleep(0.02)
        return {key: -key for key in keys}

    async def main() -> int | None:
        reads: GroupedReads[int, int] = GroupedReads(slow)
        gone = asyncio.ensure_future(reads.read(1))
        kept = asyncio.ensure_future(reads.read(2))
        await asyncio.sleep(0.005)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await kept

    assert asyncio.run(main()) == -2
