"""Money is an integer count of minor units plus an ISO 4217 currency, everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency

from shop.core import i18n

# What one card payment can be: Stripe takes at most eight digits of minor units (999,999.99 USD).
MAX_CHARGE = 99_999_999

# The ISO 4217 codes Stripe can charge in, and nothing else: a made-up three letters is refused
# where it is typed, not found out at checkout.
_ISO_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF GTQ
GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD
LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TND TOP
TRY TTD TWD TZS UAH UGX USD UYU UZS VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
"""
CURRENCIES = frozenset(_ISO_CODES.split())

# Currencies whose minor unit is not the cent. Everything else has two decimals.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "KRW": "₩"}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.amount * times, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def as_dict(self) -> dict[str, object]:
        return {"amount": self.amount, "currency": self.currency}

    def format(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: int, currency: str) -> str:
    """ "$1,234.50" in English (our own symbols, else "12.50 CAD"); in Chinese, CLDR's forms via Babel:
    "¥1,234.50" for yuan and "US$1,234.50" for dollars, so a yuan price and a dollar price differ."""
    if i18n.get_locale() != i18n.DEFAULT:
        value = Decimal(amount).scaleb(-exponent(currency))
        return format_currency(value, currency.upper(), locale=i18n.babel_locale())
    places = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(amount), 10**places)
    text = f"{whole:,}" + (f".{minor:0{places}d}" if places else "")
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency.upper()}"


def split_evenly(total: int, parts: int) -> list[int]:
    """Split minor units into `parts` shares that add up exactly; the first shares take the remainder."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    base, remainder = divmod(total, parts)
    return [base + (1 if index < remainder else 0) for index in range(parts)]


def parse_amount(text: str, currency: str) -> int | None:
    """ "12.50" → 1250 minor units (USD); empty → None. Raises ValueError for anything else."""
    from decimal import InvalidOperation

    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value() or minor <= 0:
        raise ValueError(f"not an amount in {currency}: {text!r}")
    return int(minor)


def share_bps(amount: int, bps: int) -> int:
    """`bps` basis points of `amount` minor units, rounded down: a commission never overpays."""
    return amount * bps // 10_000


def format_bps(bps: int) -> str:
    """A rate in basis points as people say it: 1200 → "12%", 1250 → "12.5%", 105 → "1.05%"."""
    whole, rest = divmod(bps, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"
