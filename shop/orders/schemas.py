from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, model_validator

from payments.gateway import StripeGateway
from payments.models import PaymentAttempt
from shop.addresses.schemas import AddressIn, Printable
from shop.core import stored_words
from shop.core.i18n import N_
from shop.core.money import MAX_CHARGE
from shop.core.schemas import Input, MoneyOut, Output
from shop.orders.models import Fulfilment, Order

_TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")


def _tracking(value: str) -> str:
    # Carriers' numbers are letters and digits; spaces and dashes are how people copy them.
    if not _TRACKING.fullmatch(value):
        raise ValueError(N_("Use letters, digits, spaces and dashes."))
    return value.strip()


class PayIn(Input):
    payment_method: str | None = Field(default=None, pattern=r"^pm_[A-Za-z0-9_]+$", max_length=100)
    setup_intent_id: str | None = Field(default=None, pattern=r"^seti_[A-Za-z0-9_]+$", max_length=100)
    # A card collected with Stripe.js createToken: 3D Secure is then asked once, for the payment.
    card_token: str | None = Field(default=None, pattern=r"^tok_[A-Za-z0-9_]+$", max_length=100)


class ShipToIn(Input):
    """Where an order ships: an address, or one of the shopper's saved ones; neither = the default."""

    shipping_address: AddressIn | None = None
    address_id: int | None = Field(default=None, ge=1, le=2**53)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if self.shipping_address is not None and self.address_id is not None:
            raise ValueError(N_("Send shipping_address or address_id, not both."))
        return self


class CheckoutIn(ShipToIn):
    """`POST /api/v1/checkout`: the cart is the server's; the body only says where it ships."""


class FulfilmentIn(Input):
    carrier: Annotated[str, Field(min_length=1, max_length=60), Printable]
    tracking_number: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_tracking)]
    # Omitted: every line of yours that has not shipped yet.
    line_ids: list[Annotated[int, Field(ge=1, le=2**53)]] | None = Field(
        default=None, min_length=1, max_length=100
    )


class FulfilmentOut(Output):
    id: int
    carrier: str
    tracking_number: str
    line_ids: list[int]
    created_at: datetime


class RefundIn(Input):
    amount: int | None = Field(default=None, ge=1, le=MAX_CHARGE)
    reason: str = Field(min_length=1, max_length=300)


class PaymentOut(Output):
    provider: str = "stripe"
    payment_intent_id: str | None
    client_secret: str | None
    publishable_key: str
    status: str | None = None
    error: str | None = None


class CheckoutOut(Output):
    order_id: int
    status: str
    total: MoneyOut
    hold_expires_at: datetime
    payment: PaymentOut


class OrderLineOut(Output):
    id: int
    variant_id: int
    product_id: int
    name: str
    variant_name: str
    quantity: int
    unit_price: MoneyOut
    refunded: MoneyOut
    refund_state: str
    source: dict[str, object]
    # {creator_id, deal_id, collaboration_id, commission_bps}, fixed when the order was paid.
    attribution: dict[str, int | None] | None = None


class OrderOut(Output):
    id: int
    status: str
    status_reason: str
    lines: list[OrderLineOut]
    total: MoneyOut
    refunded: MoneyOut
    created_at: datetime
    paid_at: datetime | None
    hold_expires_at: datetime
    payment: PaymentOut | None = None
    shipping_address: dict[str, Any] | None = None
    fulfilments: list[FulfilmentOut] = []
    fulfilled_at: datetime | None = None


class RefundOut(Output):
    id: int
    order_id: int
    amount: MoneyOut
    status: str
    reason: str


def order_out(order: Order, payment: PaymentOut | None = None) -> OrderOut:
    money = lambda amount: MoneyOut(amount=amount, currency=order.currency)  # noqa: E731
    return OrderOut(
        id=order.id,
        status=order.status,
        status_reason=stored_words.say(order.status_reason),  # in the reader's language
        lines=[
            OrderLineOut(
                id=ln.id,
                variant_id=ln.variant_id,
                product_id=ln.product_id,
                name=ln.product_name,
                variant_name=ln.variant_name,
                quantity=ln.quantity,
                unit_price=money(ln.unit_amount),
                refunded=money(ln.refunded_amount),
                refund_state=ln.refund_state,
                source={"type": ln.source_type, "id": ln.source_id},
                attribution=ln.attribution,
            )
            for ln in order.lines
        ],
        total=money(order.total_amount),
        refunded=money(order.refunded_amount),
        created_at=order.created_at,
        paid_at=order.paid_at,
        hold_expires_at=order.hold_expires_at,
        payment=payment,
        shipping_address=order.shipping_address,
        fulfilments=[fulfilment_out(f) for f in order.fulfilments],
        fulfilled_at=order.fulfilled_at,
    )


def fulfilment_out(fulfilment: Fulfilment) -> FulfilmentOut:
    return FulfilmentOut(
        id=fulfilment.id,
        carrier=fulfilment.carrier,
        tracking_number=fulfilment.tracking_number,
        line_ids=fulfilment.line_ids,
        created_at=fulfilment.created_at,
    )


def payment_out(attempt: PaymentAttempt | None, gateway: StripeGateway) -> PaymentOut:
    return PaymentOut(
        payment_intent_id=attempt.payment_intent_id if attempt else None,
        client_secret=attempt.client_secret if attempt else None,
        publishable_key=gateway.publishable_key,
        status=attempt.status if attempt else None,
        error=attempt.error_message if attempt else None,
    )


def checkout_out(order: Order, attempt: PaymentAttempt, gateway: StripeGateway) -> CheckoutOut:
    return CheckoutOut(
        order_id=order.id,
        status=order.status,
        total=MoneyOut(amount=order.total_amount, currency=order.currency),
        hold_expires_at=order.hold_expires_at,
        payment=payment_out(attempt, gateway),
    )
