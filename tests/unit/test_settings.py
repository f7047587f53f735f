import pytest
from pydantic import ValidationError

from shop.core.money import parse_amount
from shop.settings import Settings


def test_live_stripe_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="test mode only"):
        Settings(stripe_secret_key="sk_live_abc")
    assert Settings(stripe_secret_key="sk_test_abc").uses_local_stripe is False
    assert Settings().uses_local_stripe is True


def test_database_url_gets_the_async_driver() -> None:
    assert Settings(database_url="postgres://u@h/db").db_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "USD", 1250), ("1,200", "JPY", 1200), ("0.125", "KWD", 125), ("", "USD", None)],
)
def test_parse_amount(text: str, currency: str, minor: int | None) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize("text", ["12.345", "-5", "abc", "0"])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text, "USD")
