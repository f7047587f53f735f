"""Stripe Connect for the local Stripe server (test tooling, GPL like the localstripe it extends).

localstripe has no Connect. This adds what separate charges and transfers need, on its own store,
routes and signed webhooks (`_sandbox_connect_http.install(app)` before the app starts):

- `POST|GET /v1/accounts[/{id}]`: Express accounts, not onboarded (`payouts_enabled: false`);
- `POST /v1/account_links` → a one-time onboarding page served here, `/_connect/onboarding/{acct}`:
  GET shows a "Complete onboarding" form; POST enables the account, sends `account.updated` and
  redirects (303) to the link's `return_url`. A used or expired link redirects to `refresh_url`;
- `transfer_group` on PaymentIntents, copied to their charge;
- `POST|GET /v1/transfers[/{id}]` (list by `transfer_group`, `destination`) and
  `POST|GET /v1/transfers/{id}/reversals`, with `transfer.created` and `transfer.reversed`. A
  transfer beyond what is left of its `source_transaction` is refused (`balance_insufficient`), so
  is a reversal beyond what is left of the transfer (`amount_too_large`);
- `Idempotency-Key` on those POSTs, as Stripe does it: the first answer of a call that ran (a
  success or a money refusal) is replayed for the same key and parameters; other parameters → 400
  `idempotency_error`. A refused call must be retried with a new key;
- test hooks: `POST /_connect/accounts/{acct}/disable` (payouts off, `account.updated`) and
  `POST /_connect/accounts/{acct}/balance {available: N}`: the account's simulated balance, which
  transfers raise and reversals lower; a reversal beyond it is refused (`balance_insufficient`).
"""

from __future__ import annotations

from typing import Any

from localstripe.errors import UserError
from localstripe.resources import (
    Charge,
    Event,
    List,
    PaymentIntent,
    StripeObject,
    store,
    try_convert_to_int,
)
from localstripe.webhooks import schedule_webhook

EVENTS = ["account.updated", "transfer.created", "transfer.reversed"]


def _refuse(code: str, message: str, status: int = 400) -> UserError:
    return UserError(status, message, {"code": code})


def check(ok: bool) -> None:
    if not ok:
        raise UserError(400, "Bad request")


def _money(amount: Any) -> int:
    amount = try_convert_to_int(amount)
    check(type(amount) is int and amount > 0)
    return int(amount)


def referenced(cls: type[StripeObject], obj_id: Any, param: str) -> Any:
    """An object named in a parameter: a missing one is a 400 `resource_missing`, as on Stripe."""
    found = store.get(f"{cls.object}:{obj_id}") if isinstance(obj_id, str) else None
    if found is None:
        missing = {"code": "resource_missing", "param": param}
        raise UserError(400, f"No such {cls.object}: '{obj_id}'", missing)
    return found


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type=None, country=None, email=None, capabilities=None, metadata=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        check(type in ("express", "custom", "standard"))
        check(country is None or (isinstance(country, str) and len(country) == 2))
        check(email is None or isinstance(email, str))
        check(capabilities is None or isinstance(capabilities, dict))
        check(metadata is None or isinstance(metadata, dict))
        super().__init__()
        self.type = type
        self.country = (country or "US").upper()
        self.email = email
        self.metadata = metadata or {}
        self.capabilities = dict.fromkeys(capabilities or {}, "inactive")
        self.details_submitted = False
        self.charges_enabled = False
        self.payouts_enabled = False
        self._available: int | None = None  # the simulated balance; None: never short

    @classmethod
    def _api_update(cls, id, **data):
        if set(data) - {"metadata", "email"}:
            raise UserError(400, "Unexpected " + ", ".join(set(data) - {"metadata", "email"}))
        account = super()._api_update(id, **data)
        schedule_webhook(Event("account.updated", account))
        return account

    def _onboarded(self) -> None:
        self.details_submitted = self.charges_enabled = self.payouts_enabled = True
        self.capabilities = dict.fromkeys(self.capabilities, "active")
        schedule_webhook(Event("account.updated", self))


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(
        self,
        amount=None,
        currency=None,
        destination=None,
        transfer_group=None,
        source_transaction=None,
        metadata=None,
        description=None,
        **kwargs,
    ):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        amount = _money(amount)
        check(isinstance(currency, str) and len(currency) == 3)
        check(metadata is None or isinstance(metadata, dict))
        check(transfer_group is None or isinstance(transfer_group, str))
        account = referenced(Account, destination, "destination")
        if source_transaction is not None:
            _source_covers(referenced(Charge, source_transaction, "source_transaction"), amount, currency)
        super().__init__()
        self.amount = amount
        self.currency = currency.lower()
        self.destination = destination
        self.transfer_group = transfer_group
        self.source_transaction = source_transaction
        self.metadata = metadata or {}
        self.description = description
        self._reversals: list[TransferReversal] = []
        if account._available is not None:
            account._available += amount
        schedule_webhook(Event("transfer.created", self))

    @property
    def amount_reversed(self) -> int:
        return sum(reversal.amount for reversal in self._reversals)

    @property
    def reversed(self) -> bool:
        return self.amount_reversed >= self.amount

    @property
    def reversals(self) -> List:
        listed = List(f"/v1/transfers/{self.id}/reversals", limit=100)
        listed._list = list(self._reversals)
        return listed

    @classmethod
    def _api_list_all(cls, url, transfer_group=None, destination=None, limit=None, starting_after=None):
        listed = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        listed._list = [
            transfer
            for transfer in listed._list
            if transfer_group in (None, transfer.transfer_group)
            and destination in (None, transfer.destination)
        ]
        return listed


def _source_covers(charge: Charge, amount: int, currency: str) -> None:
    """Stripe pays a transfer from its source charge: never more than is left of it."""
    if charge.status != "succeeded":
        raise _refuse("charge_not_succeeded", f"The charge {charge.id} has not succeeded.")
    if charge.currency.lower() != currency.lower():
        raise _refuse("currency_mismatch", f"The charge {charge.id} is in {charge.currency}, not {currency}.")
    sent = sum(
        transfer.amount - transfer.amount_reversed
        for key, transfer in store.items()
        if key.startswith("transfer:") and transfer.source_transaction == charge.id
    )
    left = charge.amount - charge.amount_refunded - sent
    if amount > left:
        raise _refuse(
            "balance_insufficient",
            f"Insufficient funds: {amount} exceeds the {left} left of the source transaction {charge.id}.",
        )


class TransferReversal(StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(self, transfer: Transfer, amount: int, metadata: dict[str, Any]) -> None:
        super().__init__()
        self.amount = amount
        self.currency = transfer.currency
        self.transfer = transfer.id
        self.metadata = metadata

    @classmethod
    def _api_reverse(cls, id=None, amount=None, metadata=None, description=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        transfer = Transfer._api_retrieve(id)
        left = transfer.amount - transfer.amount_reversed
        amount = left if amount is None else _money(amount)
        check(metadata is None or isinstance(metadata, dict))
        if amount > left or left == 0:
            raise _refuse("amount_too_large", f"Reversing {amount} exceeds the {left} left of {transfer.id}.")
        account = Account._api_retrieve(transfer.destination)
        if account._available is not None:
            if amount > account._available:
                raise _refuse("balance_insufficient", f"The account {account.id} has insufficient funds.")
            account._available -= amount
        reversal = cls(transfer, amount, metadata or {})
        transfer._reversals.append(reversal)
        schedule_webhook(Event("transfer.reversed", transfer))
        return reversal

    @classmethod
    def _api_list_for(cls, id=None, limit=None, starting_after=None):
        listed = List(f"/v1/transfers/{id}/reversals", limit=limit, starting_after=starting_after)
        listed._list = list(Transfer._api_retrieve(id)._reversals)
        return listed


def _with_transfer_group(init: Any) -> Any:
    def __init__(self: Any, *args: Any, transfer_group: Any = None, **kwargs: Any) -> None:
        check(transfer_group is None or isinstance(transfer_group, str))
        init(self, *args, **kwargs)
        self.transfer_group = transfer_group

    return __init__


def _charge_with_group(initialize: Any) -> Any:
    def _initialize_charge(self: Any, *args: Any, **kwargs: Any) -> None:
        # Before the charge succeeds, so `payment_intent.succeeded` already shows the group.
        if self.payment_intent:
            self.transfer_group = PaymentIntent._api_retrieve(self.payment_intent).transfer_group
        initialize(self, *args, **kwargs)

    return _initialize_charge


def add_transfer_groups() -> None:
    """PaymentIntents take `transfer_group` (localstripe refuses it) and hand it to their charge."""
    PaymentIntent.transfer_group = None  # a class default: exported, and updatable (`_update`)
    Charge.transfer_group = None
    PaymentIntent.__init__ = _with_transfer_group(PaymentIntent.__init__)
    Charge._initialize_charge = _charge_with_group(Charge._initialize_charge)
