"""Stripe's objects as the app sees them: small frozen dataclasses, and the readers that build them.

The readers take what `payments.gateway` got back (an SDK object or a plain dict) and read it
defensively: the local sandbox answers with thinner objects than Stripe, and an optional field may
be missing, null, an id or an expanded object. Currencies are upper case here, as in the DB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str
    metadata: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None
    created: int = 0


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    status: str
    amount: int


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge as Stripe has it now: what `charge.*` events are about."""

    id: str
    payment_intent_id: str | None
    amount: int
    amount_refunded: int
    currency: str
    refunds: tuple[RefundResult, ...] = ()


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """A payee's Express account: money may be sent once `payouts_enabled` (after onboarding)."""

    id: str
    payouts_enabled: bool
    details_submitted: bool
    charges_enabled: bool
    email: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transfer:
    """Money moved from the platform to a connected account, taken from `source_transaction`."""

    id: str
    amount: int
    currency: str
    destination: str
    amount_reversed: int
    transfer_group: str | None
    source_transaction: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    created: int = 0


@dataclass(frozen=True, slots=True)
class TransferReversal:
    """Money taken back from a connected account (a refund after the payout)."""

    id: str
    amount: int
    transfer_id: str
    metadata: dict[str, str] = field(default_factory=dict)


def data_of(obj: Any) -> dict[str, Any]:
    return dict(obj.to_dict() if hasattr(obj, "to_dict") else obj)


def _id_of(value: Any) -> str | None:
    """An id field that may hold the id, the expanded object, or nothing."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def read_intent(obj: Any) -> Intent:
    data = data_of(obj)
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"],
        status=data.get("status", "unknown"),
        amount=int(data.get("amount", 0)),
        currency=str(data.get("currency", "")).upper(),
        client_secret=data.get("client_secret") or "",
        metadata=dict(data.get("metadata") or {}),
        error_message=error.get("message"),
        created=int(data.get("created") or 0),
    )


def read_refund(data: dict[str, Any], amount: int = 0) -> RefundResult:
    return RefundResult(
        id=data["id"], status=data.get("status", "pending"), amount=int(data.get("amount", amount))
    )


def read_charge(obj: Any) -> Charge:
    data = data_of(obj)
    refunds = (data.get("refunds") or {}).get("data") or []
    return Charge(
        id=data["id"],
        payment_intent_id=data.get("payment_intent"),
        amount=int(data.get("amount", 0)),
        amount_refunded=int(data.get("amount_refunded", 0)),
        currency=str(data.get("currency", "")).upper(),
        refunds=tuple(read_refund(item) for item in refunds),
    )


def latest_charge_id(obj: Any) -> str | None:
    """The charge of a PaymentIntent: `latest_charge` (an id, or expanded by the local server),
    else the older `charges.data[0]`; None while nothing was charged."""
    data = data_of(obj)
    found = _id_of(data.get("latest_charge"))
    if found is None:
        charges = (data.get("charges") or {}).get("data") or []
        found = _id_of(charges[0]) if charges else None
    return found


def read_account(obj: Any) -> ConnectedAccount:
    data = data_of(obj)
    return ConnectedAccount(
        id=data["id"],
        payouts_enabled=bool(data.get("payouts_enabled")),
        details_submitted=bool(data.get("details_submitted")),
        charges_enabled=bool(data.get("charges_enabled")),
        email=data.get("email") or None,
        metadata=dict(data.get("metadata") or {}),
    )


def read_transfer(obj: Any) -> Transfer:
    data = data_of(obj)
    destination = _id_of(data.get("destination"))
    if destination is None:
        raise ValueError("a transfer without a destination")
    return Transfer(
        id=data["id"],
        amount=int(data.get("amount", 0)),
        currency=str(data.get("currency", "")).upper(),
        destination=destination,
        amount_reversed=int(data.get("amount_reversed") or 0),
        transfer_group=data.get("transfer_group") or None,
        source_transaction=_id_of(data.get("source_transaction")),
        metadata=dict(data.get("metadata") or {}),
        created=int(data.get("created") or 0),
    )


def read_reversal(obj: Any, transfer_id: str) -> TransferReversal:
    data = data_of(obj)
    return TransferReversal(
        id=data["id"],
        amount=int(data.get("amount", 0)),
        transfer_id=_id_of(data.get("transfer")) or transfer_id,
        metadata=dict(data.get("metadata") or {}),
    )
