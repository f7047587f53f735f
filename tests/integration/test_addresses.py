"""The address book: validation per field, one default, privacy, and the page's forms."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import Client, register

HOME = {
    "name": "Mei Lin",
    "line1": "88 Harbour Road",
    "city": "Hong Kong",
    "postal_code": "999077",
    "country": "hk",
}


async def test_first_address_is_default_and_default_moves(shopper: Client) -> None:
    first = (await shopper.post("/api/v1/me/addresses", json=HOME)).json()
    assert first["default"] is True
    assert first["country"] == "HK"
    second = (await shopper.post("/api/v1/me/addresses", json={**HOME, "line1": "2 Nathan Rd"})).json()
    assert second["default"] is False
    third = (
        await shopper.post("/api/v1/me/addresses", json={**HOME, "line1": "3 Queen's Rd", "default": True})
    ).json()
    items = (await shopper.get("/api/v1/me/addresses")).json()["items"]
    assert [(a["id"], a["default"]) for a in items] == [
        (third["id"], True),
        (second["id"], False),
        (first["id"], False),
    ]

    assert (await shopper.post(f"/api/v1/me/addresses/{first['id']}/default")).json()["default"] is True
    # Deleting the default promotes the newest remaining address.
    assert (await shopper.delete(f"/api/v1/me/addresses/{first['id']}")).status_code == 204
    items = (await shopper.get("/api/v1/me/addresses")).json()["items"]
    assert [(a["id"], a["default"]) for a in items] == [(third["id"], True), (second["id"], False)]


async def test_two_defaults_at_once_leave_exactly_one(shopper: Client) -> None:
    answers = await asyncio.gather(
        *(
            shopper.post("/api/v1/me/addresses", json={**HOME, "line1": f"{n} Lane", "default": True})
            for n in range(4)
        )
    )
    assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    items = (await shopper.get("/api/v1/me/addresses")).json()["items"]
    assert sum(a["default"] for a in items) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"country": "HKG"}, "country"),
        ({"country": "XX"}, "country"),
        ({"city": "x" * 10_000}, "city"),
        ({"line1": "1 Road\u0000"}, "line1"),
        ({"line2": "Flat 2\u202e"}, "line2"),
        ({"postal_code": "<script>"}, "postal_code"),
        ({"extra": "field"}, "extra"),
    ],
)
async def test_bad_addresses_name_the_field(client: Client, change: dict[str, object], field: str) -> None:
    await register(client, f"bad-{field}@example.com")
    body = {k: v for k, v in {**HOME, **change}.items() if v is not None}
    response = await client.post("/api/v1/me/addresses", json=body)
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert (await client.get("/api/v1/me/addresses")).json()["items"] == []


async def test_addresses_are_private(shopper: Client, other_shopper: Client) -> None:
    mine = (await shopper.post("/api/v1/me/addresses", json=HOME)).json()
    assert (await other_shopper.get("/api/v1/me/addresses")).json()["items"] == []
    assert (await other_shopper.delete(f"/api/v1/me/addresses/{mine['id']}")).status_code == 404
    assert (await other_shopper.post(f"/api/v1/me/addresses/{mine['id']}/default")).status_code == 404
    assert (await other_shopper.delete("/api/v1/me/addresses/99999999999999999999")).status_code in (
        400,
        404,
        422,
    )
    other_shopper.raw.cookies.clear()
    assert (await other_shopper.get("/api/v1/me/addresses")).status_code == 401


async def test_page_rerenders_with_messages_then_saves(shopper: Client) -> None:
    bad = await shopper.form("/me/addresses", {**HOME, "country": "ZZ", "city": ""})
    assert bad.status_code == 422
    assert "Use a two-letter country code" in bad.text
    assert 'value="88 Harbour Road"' in bad.text  # what was typed is kept
    good = await shopper.form("/me/addresses", {**HOME, "line1": "<b>1</b> Road"})
    assert good.status_code in (302, 303)
    page = (await shopper.get("/me/addresses")).text
    assert "&lt;b&gt;1&lt;/b&gt; Road" in page
    assert "Default" in page
