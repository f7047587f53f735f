import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.core.money import Money, format_money, split_evenly


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (2599, "USD", "$25.99"),
        (5, "USD", "$0.05"),
        (1500, "JPY", "¥1,500"),
        (1234, "KWD", "1.234 KWD"),
        (-250, "EUR", "-€2.50"),
        (123456789, "USD", "$1,234,567.89"),
    ],
)
def test_format_uses_the_currency_exponent(amount: int, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot mix"):
        Money(1, "USD") + Money(1, "EUR")
    assert (Money(250, "USD") * 3 + Money(1, "USD")).amount == 751


@given(total=st.integers(min_value=0, max_value=10**9), parts=st.integers(min_value=1, max_value=50))
def test_split_adds_up_exactly_and_is_fair(total: int, parts: int) -> None:
    shares = split_evenly(total, parts)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)
