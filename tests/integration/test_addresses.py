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


async def test_first_address_is_default_and_default_moves(client: Client) -> None:
    await register(client, "addr@example.com")
    first = (await client.post("/api/v1/me/addresses", json=HOME)).json()
    assert first["default"] is True
    assert first["country"] == "HK"
    second = (await client.post("/api/v1/me/addresses", json={**HOME, "line1": "2 Nathan Rd"})).json()
    assert second["default"] is False
    third = (
        await client.post("/api/v1/me/addresses", json={**HOME, "line1": "3 Queen's Rd", "default": True})
    ).json()
    items = (await client.get("/api/v1/me/addresses")).json()["items"]
    assert [(a["id"], a["default"]) for a in items] == [
        (third["id"], True),
        (second["id"], False),
        (first["id"], False),
    ]

    assert (await client.post(f"/api/v1/me/addresses/{first['id']}/default")).json()["default"] is True
    # Deleting the default promotes the newest remaining address.
    assert (await client.delete(f"/api/v1/me/addresses/{first['id']}")).status_code == 204
    items = (await client.get("/api/v1/me/addresses")).json()["items"]
    assert [(a["id"], a["default"]) for a in items] == [(third["id"], True), (second["id"], False)]


async def test_two_defaults_at_once_leave_exactly_one(client: Client) -> None:
    await register(client, "race@example.com")
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/me/addresses", json={**HOME, "line1": f"{n} Lane", "default": True})
            for n in range(4)
        )
    )
    assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    items = (await client.get("/api/v1/me/addresses")).json()["items"]
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


async def test_addresses_are_private(client: Client, other_client: Client) -> None:
    await register(client, "owner@example.com")
    mine = (await client.post("/api/v1/me/addresses", json=HOME)).json()
    await register(other_client, "nosy@example.com")
    assert (await other_client.get("/api/v1/me/addresses")).json()["items"] == []
    assert (await other_client.delete(f"/api/v1/me/addresses/{mine['id']}")).status_code == 404
    assert (await other_client.post(f"/api/v1/me/addresses/{mine['id']}/default")).status_code == 404
    assert (await other_client.delete("/api/v1/me/addresses/99999999999999999999")).status_code in (
        400,
        404,
        422,
    )
    other_client.raw.cookies.clear()
    assert (await other_client.get("/api/v1/me/addresses")).status_code == 401


async def test_page_rerenders_with_messages_then_saves(client: Client) -> None:
    await register(client, "form@example.com")
    bad = await client.form("/me/addresses", {**HOME, "country": "ZZ", "city": ""})
    assert bad.status_code == 422
    assert "Use a two-letter country code" in bad.text
    assert 'value="88 Harbour Road"' in bad.text  # what was typed is kept
    good = await client.form("/me/addresses", {**HOME, "line1": "<b>1</b> Road"})
    assert good.status_code in (302, 303)
    page = (await client.get("/me/addresses")).text
    assert "&lt;b&gt;1&lt;/b&gt; Road" in page
    assert "Default" in page
