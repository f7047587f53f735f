from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shop.core.schemas import Input, MoneyOut, Output
from shop.orders.models import Order


class PayIn(Input):
    payment_method: str | None = Field(default=None, pattern=r"^pm_[A-Za-z0-9_]+$", max_length=100)
    setup_intent_id: str | None = Field(default=None, pattern=r"^seti_[A-Za-z0-9_]+$", max_length=100)
    # A card collected with Stripe.js createToken: 3D Secure is then asked once, for the payment.
    card_token: str | None = Field(default=None, pattern=r"^tok_[A-Za-z0-9_]+$", max_length=100)


class RefundIn(Input):
    amount: int | None = Field(default=None, ge=1, le=100_000_000)
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
        status_reason=order.status_reason,
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
            )
            for ln in order.lines
        ],
        total=money(order.total_amount),
        refunded=money(order.refunded_amount),
        created_at=order.created_at,
        paid_at=order.paid_at,
        hold_expires_at=order.hold_expires_at,
        payment=payment,
    )
