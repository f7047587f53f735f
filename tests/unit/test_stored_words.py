"""Sentences stored in English with values (an order's reason) read in the reader's language."""

from collections.abc import Iterator

import pytest

from shop.core import i18n, stored_words
from shop.orders.refunds import REFUND_REFUSED
from shop.orders.settlement import HELD_FOR_AN_OPERATOR


@pytest.fixture
def zh() -> Iterator[None]:
    token = i18n.use(i18n.RequestLocale("zh_Hans", "query"))
    yield
    i18n._current.reset(token)


def test_a_stored_fill_is_said_again_in_chinese_with_its_values(zh: None) -> None:
    refused = stored_words.fill(REFUND_REFUSED, amount=500, why="Your card was declined.")
    assert refused == "A refund of 500 was refused: Your card was declined."  # what the column keeps
    # Stripe's words are kept as they came.
    assert stored_words.say(refused) == "500 的退款被拒绝：Your card was declined."  # noqa: RUF001
    held = stored_words.fill(HELD_FOR_AN_OPERATOR, intent="pi_1", paid="900 usd", due="1000 usd")
    said = "付款 pi_1 金额为 900 usd，而订单应付 1000 usd：已暂扣，等待运营人员处理。"  # noqa: RUF001
    assert stored_words.say(held) == said


def test_plain_msgids_are_translated_and_anything_else_is_shown_as_stored(zh: None) -> None:
    assert stored_words.say("Sold out.") == "已抢光。"
    written = "A refund of my heart was refused"  # a person's words that only look like one
    assert stored_words.say(written) == written
    assert stored_words.say("") == ""


def test_in_english_the_stored_text_is_what_is_read() -> None:
    refused = stored_words.fill(REFUND_REFUSED, amount=500, why="expired_card")
    assert stored_words.say(refused) == refused
