"""The fuzzer's findings (issue 13), one by one: out-of-range ids and control characters in paths,
queries and bodies are 422s naming the field, never a 500 from the database driver."""

from __future__ import annotations

import pytest

from shop.core.pagination import encode_cursor
from tests.helpers import Client

HUGE = 366953868345959317504
NEGATIVE_HUGE = -695535559252516849295750770720768


def _assert_field_error(response: object, field: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert status == 422, (status, body)
    assert body["code"] == "validation_error"
    assert any(field in key for key in body["fields"]), body


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", f"/api/v1/notes/{HUGE}", "note_id"),
        ("POST", f"/api/v1/notes/{HUGE}/like", "note_id"),
        ("POST", f"/api/v1/notes/{HUGE}/save", "note_id"),
        ("POST", f"/api/v1/users/{HUGE}/follow", "user_id"),
        ("GET", f"/api/v1/users/{HUGE}", "user_id"),
        ("GET", f"/api/v1/orders/{HUGE}", "order_id"),
        ("GET", f"/api/v1/streams/{HUGE}", "stream_id"),
        ("POST", f"/api/v1/streams/{HUGE}/chat", "stream_id"),
        ("GET", f"/api/v1/flash-sales/{HUGE}", "sale_id"),
        ("GET", f"/api/v1/products/{HUGE}", "product_id"),
        ("GET", "/api/v1/products/0", "product_id"),
        ("GET", f"/api/v1/notes?topic=%07skin&author_id={HUGE}", "author_id"),
        ("GET", "/api/v1/notes?topic=%07skin", "topic"),
        ("GET", f"/api/v1/products?merchant_id={NEGATIVE_HUGE}", "merchant_id"),
        ("GET", "/api/v1/users?q=a%00b", "q"),
    ],
)
async def test_out_of_range_in_paths_and_queries(creator: Client, method: str, path: str, field: str) -> None:
    body = {"text": "hi"} if path.endswith("/chat") else None
    _assert_field_error(await creator.send(method, path, json=body), field)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/cart/lines", {"variant_id": NEGATIVE_HUGE}, "variant_id"),
        ("/api/v1/cart/lines", {"variant_id": 1, "source": {"type": "note", "id": HUGE}}, "id"),
        ("/api/v1/streams/1/pin", {"product_id": HUGE}, "product_id"),
        ("/api/v1/streams/1/moderators", {"user_id": HUGE}, "user_id"),
        ("/api/v1/notes/1/comments", {"body": "hi", "parent_id": HUGE}, "parent_id"),
        ("/api/v1/events", {"events": [{"type": "view", "note_id": HUGE}]}, "note_id"),
    ],
)
async def test_out_of_range_ids_in_bodies(
    creator: Client, path: str, body: dict[str, object], field: str
) -> None:
    _assert_field_error(await creator.post(path, json=body), field)


async def test_control_characters_in_a_body_are_refused(creator: Client) -> None:
    """PostgreSQL refuses NUL in text: it must be a 422 before it gets there."""
    _assert_field_error(await creator.patch("/api/v1/me", json={"bio": "glow\x00up"}), "bio")
    kept = await creator.patch("/api/v1/me", json={"bio": "line one\nline two"})
    assert kept.status_code == 200, kept.text


async def test_a_forged_cursor_with_a_huge_id_is_refused(creator: Client) -> None:
    for path in ("/api/v1/notes", "/api/v1/users?q=a", "/api/v1/notifications"):
        joiner = "&" if "?" in path else "?"
        forged = encode_cursor({"id": HUGE})
        _assert_field_error(await creator.get(f"{path}{joiner}cursor={forged}"), "cursor")


async def test_a_reservation_id_with_a_nul_is_refused(shopper: Client) -> None:
    response = await shopper.post(
        "/api/v1/flash-sales/1/reservations/ab%00cd/checkout", json={"address_id": 1}
    )
    assert 400 <= response.status_code < 500, response.text
