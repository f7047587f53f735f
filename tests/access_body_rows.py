"""Ids in bodies: a caller acting on their own object names someone else's in the body (a product
on their shelf, a variant in their stock count, an upload in their note, an address for their
order). Each is refused, and the answer does not say whether the other object exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.access_rows import SALE as ROW_SALE


@dataclass(frozen=True)
class Probe:
    who: str
    route: str
    args: tuple[str, ...]
    json: dict[str, Any]
    expect: int


def probe(who: str, route: str, args: str, json: dict[str, Any], expect: int) -> Probe:
    return Probe(who, route, tuple(args.split()), json, expect)


VARIANT_PATCH = {
    "id": "@product_variant",
    "sku": "STOLEN",
    "name": "x",
    "price": {"amount": 1, "currency": "USD"},
}
OFFER = {
    "creator_id": "@user:creator",
    "product_ids": ["@product_to_archive"],
    "deliverable": "note",
    "brief": "Show it.",
    "due_at": "2030-01-01T00:00:00Z",
    "commission_bps": 1000,
}
SALE = {**ROW_SALE, "variant_id": "@product_to_archive_variant"}


def _note(upload: str, **extra: Any) -> dict[str, Any]:
    return {"title": "Mine", "images": [{"upload_id": upload, "tags": extra.pop("tags", [])}], **extra}


UNOPENED_TAG = [{"product_id": "@product_to_archive", "x": 0.5, "y": 0.5}]

PROBES = [
    # merchant2, on their own product, stream and offers, naming the merchant's things
    probe(
        "merchant2",
        "PUT /api/v1/streams/{stream_id:int}/products",
        "stream2",
        {"product_ids": ["@product_to_archive"]},
        422,
    ),
    probe("merchant2", "POST /api/v1/streams/{stream_id:int}/flash-sales", "stream2", SALE, 404),
    probe(
        "merchant2",
        "POST /api/v1/products/{product_id:int}/stock-adjustments",
        "product2",
        {"variant_id": "@product_variant", "delta": 5, "reason": "restock"},
        404,
    ),
    probe(
        "merchant2", "PATCH /api/v1/products/{product_id:int}", "product2", {"variants": [VARIANT_PATCH]}, 404
    ),
    probe(
        "merchant2",
        "PATCH /api/v1/products/{product_id:int}",
        "product2",
        {"image_upload_ids": ["@upload"]},
        404,
    ),
    probe(
        "merchant2",
        "POST /api/v1/collaborations",
        "",
        {"product_id": "@product_to_archive", "commission_bps": 500},
        404,
    ),
    probe("merchant2", "POST /api/v1/offers", "", OFFER, 422),
    # creator2, writing their own note or stream, naming the creator's upload or deal
    probe("creator2", "POST /api/v1/notes", "", _note("@upload"), 404),
    probe("creator2", "POST /api/v1/notes", "", _note("@upload2", deal_id="@deal"), 404),
    probe("creator2", "POST /api/v1/notes", "", _note("@upload2", tags=UNOPENED_TAG), 422),
    probe("creator2", "POST /api/v1/streams", "", {"title": "Mine", "deal_id": "@deal"}, 404),
    # the creator submitting another creator's note to their own deal
    probe("creator", "POST /api/v1/deals/{deal_id:int}/submit", "deal_to_cancel", {"note_id": "@note2"}, 404),
    # shopper2, buying or commenting, naming the shopper's address, a draft or a comment elsewhere
    probe(
        "shopper2",
        "POST /api/v1/streams/{stream_id:int}/checkout",
        "stream",
        {"variant_id": "@product_variant", "quantity": 1, "address_id": "@address"},
        404,
    ),
    probe(
        "shopper2",
        "POST /api/v1/cart/lines",
        "",
        {"variant_id": "@product_variant", "quantity": 1, "source": {"type": "note", "id": "@draft"}},
        422,
    ),
    probe(
        "shopper2",
        "POST /api/v1/notes/{note_id:int}/comments",
        "note_to_delete",
        {"body": "Me too", "parent_id": "@comment"},
        422,
    ),
    # translating another's draft (the app under test has no provider: the rights come first)
    probe(
        "shopper2",
        "POST /api/v1/translate",
        "",
        {"items": [{"kind": "note", "id": "@draft"}], "target": "en"},
        404,
    ),
]
