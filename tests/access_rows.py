"""The access matrix's rows: every route whose path names an object, what each kind of caller gets.

A row: the route exactly as the app names it ("METHOD path"), the world objects its parameters
take (`"=text"` for a literal, such as a form's action), whose object it is, and the statuses
expected for: the owner / another user of the owner's role / a user of another role / anonymous.
Others' private objects are 404 (their existence is not told); a role guard that refuses before
any object is read is 403; public objects say 200 for everyone, on purpose. Pages send anonymous
callers to sign in (303) where the API says 401. Rows run in order, each column from anonymous
to the owner, so a row that changes its object comes after the rows that read it.

To add a row: copy the closest one, name its route as the failure message prints it, pick or add
an object in tests/access_world.py, run the test, and check every status the failure reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The same-role other user of each owner, and the default caller of another role: strangers to
# the object (the shopper's order is not the merchant2's; a creator's note is not a merchant's).
PEER = {"shopper": "shopper2", "creator": "creator2", "merchant": "merchant2", "operator": "operator2"}
OTHER = {"shopper": "creator2", "creator": "merchant2", "merchant": "creator2", "operator": "merchant2"}

# Paths with a parameter that does not name an object: files by content address, the schema's files.
NOT_OBJECTS = {"GET /media/{file_path:path}", "GET /static/{file_path:path}", "GET /schema/{path:str}"}


@dataclass(frozen=True)
class Row:
    route: str
    args: tuple[str, ...]
    owner: str
    expect: str  # "owner/peer/other/anonymous"
    json: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    other: str | None = None

    @property
    def columns(self) -> dict[str, str]:
        return {
            "anon": "anon",
            "other": self.other or OTHER[self.owner],
            "peer": PEER[self.owner],
            "owner": self.owner,
        }


def row(route: str, args: str, owner: str, expect: str, **extra: Any) -> Row:
    return Row(route, tuple(args.split()), owner, expect, **extra)


PUBLIC = "200/200/200/200"
# "@key" in a body is the world's object `key` (see tests/access_world.py).
SALE = {
    "variant_id": "@product_variant",
    "quantity": 5,
    "price": {"amount": 1999, "currency": "USD"},
    "per_customer_limit": 2,
    "duration_s": 600,
    "countdown_s": 0,
}

ACCOUNTS = [
    row("DELETE /api/v1/auth/tokens/{token_id:int}", "token", "shopper", "204/404/404/401"),
    row("DELETE /api/v1/me/sessions/{session_id:int}", "session", "shopper", "204/404/404/401"),
    row("POST /api/v1/me/addresses/{address_id:int}/default", "address", "shopper", "200/404/404/401"),
    row("DELETE /api/v1/me/addresses/{address_id:int}", "address_to_delete", "shopper", "204/404/404/401"),
    row("PATCH /api/v1/cart/lines/{line_id:int}", "line", "shopper", "200/404/404/404", json={"quantity": 2}),
    row("DELETE /api/v1/cart/lines/{line_id:int}", "line", "shopper", "200/404/404/404"),
    # Profiles and showcases are public; following oneself is refused.
    row("GET /api/v1/users/{user_id:int}", "user:creator", "creator", PUBLIC),
    row("GET /api/v1/users/{user_id:int}/showcase", "user:creator", "creator", PUBLIC),
    row("POST /api/v1/users/{user_id:int}/follow", "user:creator", "creator", "422/200/200/401"),
    row("DELETE /api/v1/users/{user_id:int}/follow", "user:creator", "creator", "422/200/200/401"),
    # Removing a product from one's own showcase: it is in no one else's.
    row("DELETE /api/v1/me/showcase/{product_id:int}", "showcased", "creator", "200/404/404/401"),
]

CATALOG = [
    row("GET /api/v1/products/{product_id:int}", "product", "merchant", PUBLIC),
    # An archived product is off sale: no page for anyone (its owner edits it in the dashboard).
    row("GET /api/v1/products/{product_id:int}", "product_archived", "merchant", "404/404/404/404"),
    row(
        "PATCH /api/v1/products/{product_id:int}",
        "product",
        "merchant",
        "200/404/403/401",
        json={"description": "Still loved."},
    ),
    row("GET /api/v1/products/{product_id:int}/stock-movements", "product", "merchant", "200/404/403/401"),
    row(
        "POST /api/v1/products/{product_id:int}/stock-adjustments",
        "product",
        "merchant",
        "201/404/403/401",
        json={"variant_id": "@product_variant", "delta": 1, "reason": "restock"},
    ),
    row(
        "PATCH /api/v1/collaborations/{collaboration_id:int}",
        "collaboration",
        "merchant",
        "200/404/403/401",
        json={"commission_bps": 1200},
    ),
    row(
        "DELETE /api/v1/collaborations/{collaboration_id:int}",
        "collaboration_to_close",
        "merchant",
        "200/404/403/401",
    ),
]

NOTES = [
    row("GET /api/v1/notes/{note_id:int}", "note", "creator", PUBLIC),
    row("GET /api/v1/notes/{note_id:int}", "draft", "creator", "200/404/404/404"),
    row("GET /api/v1/notes/{note_id:int}/comments", "note", "creator", PUBLIC),
    # A draft takes no comments, likes or saves, even its author's: it is not out yet.
    row("GET /api/v1/notes/{note_id:int}/comments", "draft", "creator", "404/404/404/404"),
    row(
        "POST /api/v1/notes/{note_id:int}/comments",
        "note",
        "creator",
        "201/201/201/401",
        json={"body": "Nice"},
    ),
    row(
        "POST /api/v1/notes/{note_id:int}/comments",
        "draft",
        "creator",
        "404/404/404/401",
        json={"body": "Hm"},
    ),
    row("POST /api/v1/notes/{note_id:int}/like", "note", "creator", "200/200/200/401"),
    row("POST /api/v1/notes/{note_id:int}/like", "draft", "creator", "404/404/404/401"),
    row("DELETE /api/v1/notes/{note_id:int}/like", "note", "creator", "200/200/200/401"),
    row("POST /api/v1/notes/{note_id:int}/save", "note", "creator", "200/200/200/401"),
    row("POST /api/v1/notes/{note_id:int}/save", "draft", "creator", "404/404/404/401"),
    row("DELETE /api/v1/notes/{note_id:int}/save", "note", "creator", "200/200/200/401"),
    row("POST /api/v1/comments/{comment_id:int}/like", "comment", "shopper", "200/200/200/401"),
    row("DELETE /api/v1/comments/{comment_id:int}/like", "comment", "shopper", "200/200/200/401"),
    row("PATCH /api/v1/notes/{note_id:int}", "note", "creator", "200/404/404/401", json={"title": "Edited"}),
    row("DELETE /api/v1/notes/{note_id:int}", "note_to_delete", "creator", "204/404/404/401"),
]

ORDERS = [
    row("GET /api/v1/orders/{order_id:int}", "order", "shopper", "200/404/404/401"),
    # The seller, first column here, reads the order at /merchant/orders: the buyer's view and payment
    # are the buyer's alone.
    row("GET /api/v1/orders/{order_id:int}", "order", "merchant", "404/404/404/401"),
    row("POST /api/v1/orders/{order_id:int}/setup-intent", "order_unpaid", "merchant", "404/404/404/401"),
    row("POST /api/v1/orders/{order_id:int}/setup-intent", "order_unpaid", "shopper", "201/404/404/401"),
    row(
        "POST /api/v1/orders/{order_id:int}/pay",
        "order_unpaid",
        "shopper",
        "200/404/404/401",
        json={"payment_method": "pm_card_visa"},
    ),
    # The fulfilment page shipped the order already (pages run first): 409 proves the owner reached it.
    row(
        "POST /api/v1/orders/{order_id:int}/fulfilments",
        "order",
        "merchant",
        "409/404/403/401",
        json={"carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
    ),
    row(
        "POST /api/v1/orders/{order_id:int}/refunds",
        "order",
        "merchant",
        "201/404/403/401",
        json={"amount": 100, "reason": "Scuffed box"},
    ),
]

DEALS = [
    row("GET /api/v1/offers/{offer_id:int}", "offer", "merchant", "200/404/404/401"),
    row("POST /api/v1/offers/{offer_id:int}/setup-intent", "offer_unpaid", "merchant", "201/404/403/401"),
    row(
        "POST /api/v1/offers/{offer_id:int}/pay",
        "offer_unpaid",
        "merchant",
        "200/404/403/401",
        json={"payment_method": "pm_card_visa"},
    ),
    row("POST /api/v1/offers/{offer_id:int}/withdraw", "offer_to_withdraw", "merchant", "200/404/403/401"),
    row("POST /api/v1/offers/{offer_id:int}/accept", "offer", "creator", "200/404/404/401"),
    row("POST /api/v1/offers/{offer_id:int}/decline", "offer_to_decline", "creator", "200/404/404/401"),
    row("GET /api/v1/deals/{deal_id:int}", "deal", "merchant", "200/404/404/401"),
    # The other party, the creator, sees them too.
    row("GET /api/v1/deals/{deal_id:int}", "deal", "creator", "200/404/404/401"),
    row("GET /api/v1/offers/{offer_id:int}", "offer", "creator", "200/404/404/401"),
    row(
        "POST /api/v1/deals/{deal_id:int}/submit",
        "deal",
        "creator",
        "200/404/404/401",
        json={"note_id": "@note"},
    ),
    row("POST /api/v1/deals/{deal_id:int}/approve", "deal", "merchant", "200/404/403/401"),
    # Approved already: 409 proves the owner reached it.
    row(
        "POST /api/v1/deals/{deal_id:int}/request-changes",
        "deal",
        "merchant",
        "409/404/403/401",
        json={"message": "Show the label."},
    ),
    row(
        "POST /api/v1/deals/{deal_id:int}/cancel",
        "deal_to_cancel",
        "merchant",
        "200/404/404/401",
        json={"reason": "Changed plans"},
    ),
    # Operators settle any deal: the other operator may too, on purpose.
    row(
        "POST /api/v1/deals/{deal_id:int}/settle",
        "deal",
        "operator",
        "409/409/403/401",
        json={"outcome": "release"},
    ),
]

OPERATORS = [
    # Any operator moves any shop (platform-wide rights); a merchant, even the shop's own, may not.
    row("POST /api/v1/operator/shops/{shop_id:int}/verify", "shop_to_move", "operator", "200/200/403/401"),
    row(
        "POST /api/v1/operator/shops/{shop_id:int}/suspend",
        "shop_to_move",
        "operator",
        "200/200/403/401",
        json={"reason": "Counterfeit listings"},
    ),
    row("POST /api/v1/operator/shops/{shop_id:int}/reinstate", "shop_to_move", "operator", "200/200/403/401"),
]

API_ROWS = [*ACCOUNTS, *CATALOG, *NOTES, *ORDERS, *DEALS, *OPERATORS]
