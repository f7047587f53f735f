"""The access matrix's page rows (HTML routes and the room socket); see tests/access_rows.py."""

from __future__ import annotations

from tests.access_rows import PUBLIC, row

# The dashboard is the merchant's own shop: to anyone else, signed in or not, it does not exist (404).
PRODUCT_FORM = {
    "name": "Product",
    "description": "Loved.",
    "category": "beauty",
    "v0.id": "@product_variant",
    "v0.sku": "PRODUCT",
    "v0.name": "30 ml",
    "v0.price": "25.99",
    "v0.currency": "USD",
    "v0.threshold": "0",
}

ACCOUNT_PAGES = [
    row("GET /users/{user_id:int}", "user:creator", "creator", PUBLIC),
    row("POST /users/{user_id:int}/follow", "user:creator", "creator", "422/302/302/401", form={"x": "1"}),
    row("POST /welcome/follow/{user_id:int}", "user:creator", "creator", "422/302/302/401"),
    row("GET /shops/{shop_id:int}", "shop", "merchant", PUBLIC),
    row("POST /shops/{shop_id:int}/follow", "shop", "merchant", "422/302/302/401", form={"x": "1"}),
    row("POST /me/addresses/{address_id:int}/default", "address", "shopper", "302/404/404/401"),
    row("POST /me/addresses/{address_id:int}/delete", "address_to_delete_page", "shopper", "302/404/404/401"),
    row(
        "POST /settings/sessions/{session_id:int}/revoke",
        "session_to_revoke_page",
        "shopper",
        "302/404/404/401",
    ),
    row("POST /settings/tokens/{token_id:int}/revoke", "token_to_revoke_page", "shopper", "302/404/404/401"),
    row("POST /cart/lines/{line_id:int}", "line_page", "shopper", "302/404/404/404", form={"quantity": "2"}),
]

CATALOG_PAGES = [
    row("GET /products/{product_id:int}", "product", "merchant", PUBLIC),
    # An archived product is off sale: no page for anyone (its owner edits it in the dashboard).
    row("GET /products/{product_id:int}", "product_archived", "merchant", "404/404/404/404"),
    row("GET /dashboard/products/{product_id:int}", "product", "merchant", "200/404/404/404"),
    row(
        "POST /dashboard/products/{product_id:int}",
        "product",
        "merchant",
        "302/404/404/404",
        form=PRODUCT_FORM,
    ),
    row("GET /dashboard/products/{product_id:int}/stock", "product", "merchant", "200/404/404/404"),
    row(
        "POST /dashboard/products/{product_id:int}/stock",
        "product",
        "merchant",
        "302/404/404/404",
        form={"variant_id": "@product_variant", "mode": "delta", "quantity": "1", "reason": "restock"},
    ),
    row(
        "POST /dashboard/products/{product_id:int}/archive",
        "product_to_archive",
        "merchant",
        "302/404/404/404",
    ),
    row(
        "POST /dashboard/products/{product_id:int}/unarchive",
        "product_to_unarchive",
        "merchant",
        "302/404/404/404",
    ),
]

NOTE_PAGES = [
    row("GET /notes/{note_id:int}", "note", "creator", PUBLIC),
    row("GET /notes/{note_id:int}", "draft", "creator", "200/404/404/404"),
    row("POST /notes/{note_id:int}/comments", "note", "creator", "302/302/302/401", form={"body": "Nice"}),
    # A draft takes no comments, likes or saves, even its author's: it is not out yet.
    row("POST /notes/{note_id:int}/comments", "draft", "creator", "404/404/404/401", form={"body": "Hm"}),
    row("GET /studio/notes/{note_id:int}/edit", "note", "creator", "200/404/404/302"),
    row("GET /studio/notes/{note_id:int}/edit", "draft", "creator", "200/404/404/302"),
    row("POST /studio/notes/{note_id:int}/delete", "note_to_delete_page", "creator", "302/404/404/401"),
    row("GET /topics/{topic:str}", "=skincare", "creator", PUBLIC),
]

ORDER_PAGES = [
    row("GET /orders/{order_id:int}", "order", "shopper", "200/404/404/302"),
    # The seller (first column here) has its own page for the order; the buyer's are the buyer's.
    row("GET /orders/{order_id:int}", "order", "merchant", "404/404/404/302"),
    row("GET /orders/{order_id:int}/pay", "order_unpaid", "merchant", "404/404/404/302"),
    row("GET /orders/{order_id:int}/pay", "order_unpaid", "shopper", "200/404/404/302"),
    row("GET /merchant/orders/{order_id:int}", "order", "merchant", "200/404/403/302"),
    row(
        "POST /merchant/orders/{order_id:int}/fulfilments",
        "order",
        "merchant",
        "302/404/403/401",
        form={"carrier": "UPS", "tracking_number": "1Z999AA10123456785"},
    ),
    row(
        "POST /merchant/orders/{order_id:int}/refunds",
        "order",
        "merchant",
        "302/404/403/401",
        form={"amount": "1.00", "reason": "Scuffed box"},
    ),
]

DEAL_PAGES = [
    row("GET /offers/{offer_id:int}", "offer_to_answer_page", "creator", "200/404/404/302"),
    row(
        "POST /offers/{offer_id:int}/{action:str}",
        "offer_to_answer_page =decline",
        "creator",
        "302/404/404/401",
    ),
    row("GET /deals/{deal_id:int}", "deal_page", "creator", "200/404/404/302"),
    row(
        "POST /deals/{deal_id:int}/{action:str}",
        "deal_page =cancel",
        "creator",
        "302/404/404/401",
        form={"reason": "Changed plans"},
    ),
    row(
        "POST /operator/shops/{shop_id:int}/{action:str}",
        "shop_to_move =verify",
        "operator",
        "302/302/403/401",
        form={"x": "1"},
    ),
]

LIVE_PAGES = [
    row("GET /live/{stream_id:int}", "stream", "merchant", PUBLIC),
    row("GET /live/{stream_id:int}/replay", "stream", "merchant", PUBLIC),
    row("GET /live/{stream_id:int}/console", "stream", "merchant", "200/404/404/302"),
    row("GET /live/{stream_id:int}/console", "stream_scheduled", "merchant", "200/404/404/302"),
    row("GET /live/{stream_id:int}", "stream_scheduled", "merchant", PUBLIC),
    row("GET /dashboard/live/{stream_id:int}", "stream", "merchant", "200/404/404/404"),
    # The room socket of a live stream opens for anyone (101: the upgrade).
    row("WS /live/streams/{stream_id:int}/ws", "stream", "merchant", "101/101/101/101"),
    # The ingest socket is the host's alone; to anyone else the stream does not exist.
    row("WS /live/streams/{stream_id:int}/ingest", "stream", "merchant", "101/4404/4404/4404"),
    # A stream's video files: the world's streams have no recording, and no name leads elsewhere.
    row("GET /live/{stream_id:int}/video/{name:path}", "stream =index.m3u8", "merchant", "404/404/404/404"),
]

PAGE_ROWS = [*ACCOUNT_PAGES, *CATALOG_PAGES, *NOTE_PAGES, *ORDER_PAGES, *DEAL_PAGES, *LIVE_PAGES]
