"""The access matrix's live rows (streams, flash sales, chat moderation); see tests/access_rows.py."""

from __future__ import annotations

from tests.access_rows import PUBLIC, SALE, row
from tests.helpers import ADDRESS

STREAMS = [
    row("GET /api/v1/streams/{stream_id:int}", "stream", "merchant", PUBLIC),
    row("GET /api/v1/streams/{stream_id:int}/replay", "stream", "merchant", PUBLIC),
    row("GET /api/v1/streams/{stream_id:int}/analytics", "stream", "merchant", "200/404/404/401"),
    row(
        "POST /api/v1/streams/{stream_id:int}/chat",
        "stream",
        "merchant",
        "201/201/201/401",
        json={"text": "Hi"},
    ),
    row("POST /api/v1/streams/{stream_id:int}/reminder", "stream_scheduled", "merchant", "200/200/200/401"),
    row("DELETE /api/v1/streams/{stream_id:int}/reminder", "stream_scheduled", "merchant", "200/200/200/401"),
    row(
        "POST /api/v1/streams/{stream_id:int}/checkout",
        "stream",
        "merchant",
        "201/201/201/401",
        json={"variant_id": "@product_variant", "quantity": 1, "shipping_address": ADDRESS},
    ),
    row(
        "PUT /api/v1/streams/{stream_id:int}/products",
        "stream",
        "merchant",
        "200/404/404/401",
        json={"product_ids": ["@product"]},
    ),
    row(
        "POST /api/v1/streams/{stream_id:int}/pin",
        "stream",
        "merchant",
        "200/404/404/401",
        json={"product_id": "@product"},
    ),
    row("DELETE /api/v1/streams/{stream_id:int}/pin", "stream", "merchant", "200/404/404/401"),
    # The encoder's URL and key: the host's alone; the matrix's site has no media server (404 even to
    # the host; tests/integration/test_video_rtmp.py sets one up).
    row("GET /api/v1/streams/{stream_id:int}/rtmp", "stream", "merchant", "404/404/404/401"),
    row("POST /api/v1/streams/{stream_id:int}/rtmp/use", "stream", "merchant", "404/404/404/401"),
    row(
        "POST /api/v1/streams/{stream_id:int}/moderators",
        "stream",
        "merchant",
        "201/404/404/401",
        json={"user_id": "@user:creator"},
    ),
    row(
        "POST /api/v1/streams/{stream_id:int}/flash-sales", "stream", "merchant", "201/404/404/401", json=SALE
    ),
    row("POST /api/v1/streams/{stream_id:int}/start", "stream_to_start", "merchant", "200/404/404/401"),
    row("POST /api/v1/streams/{stream_id:int}/end", "stream_to_end", "merchant", "200/404/404/401"),
    row("GET /api/v1/flash-sales/{sale_id:int}", "sale", "merchant", PUBLIC),
    row("GET /api/v1/flash-sales/{sale_id:int}/ledger", "sale", "merchant", PUBLIC),
    row("GET /api/v1/flash-sales/{sale_id:int}/mine", "sale", "shopper", "200/200/200/401"),
    row(
        "POST /api/v1/flash-sales/{sale_id:int}/reservations",
        "sale",
        "shopper",
        "201/201/201/401",
        json={"quantity": 1},
    ),
    row(
        "POST /api/v1/flash-sales/{sale_id:int}/reservations/{reservation_id:str}/checkout",
        "sale reservation",
        "shopper",
        "201/404/404/401",
        json={"shipping_address": ADDRESS},
    ),
]

# The host's moderation (last: shopper2 ends up muted and blocked). A moderator may act too; to
# anyone else the stream's console does not exist.
MODERATION = [
    row("GET /api/v1/streams/{stream_id:int}/moderators", "stream", "merchant", "200/404/404/401"),
    row("GET /api/v1/streams/{stream_id:int}/moderation-log", "stream", "merchant", "200/404/404/401"),
    row(
        "PUT /api/v1/streams/{stream_id:int}/chat-settings",
        "stream",
        "merchant",
        "200/404/404/401",
        json={"slow_mode_s": 0},
    ),
    row(
        "DELETE /api/v1/streams/{stream_id:int}/chat/{seq:int}",
        "stream chat_seq",
        "merchant",
        "204/404/404/401",
    ),
    row(
        "POST /api/v1/streams/{stream_id:int}/mutes",
        "stream",
        "merchant",
        "201/404/404/401",
        json={"user_id": "@user:shopper2", "duration": "30s"},
    ),
    row(
        "DELETE /api/v1/streams/{stream_id:int}/mutes/{user_id:int}",
        "stream user:shopper2",
        "merchant",
        "204/404/404/401",
    ),
    row(
        "POST /api/v1/streams/{stream_id:int}/blocks",
        "stream",
        "merchant",
        "201/404/404/401",
        json={"user_id": "@user:shopper2"},
    ),
    row("DELETE /api/v1/live/blocks/{user_id:int}", "user:shopper2", "merchant", "204/404/404/401"),
    row(
        "DELETE /api/v1/streams/{stream_id:int}/moderators/{user_id:int}",
        "stream user:creator",
        "merchant",
        "204/404/404/401",
    ),
]

LIVE_ROWS = [*STREAMS, *MODERATION]
