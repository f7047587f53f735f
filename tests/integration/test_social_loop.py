"""The social loop end to end: follow a creator, see their new note in Following, hear them go live."""

from __future__ import annotations

from tests.helpers import Client, make_note, make_product, register


async def test_follow_then_following_feed_then_live_notification(
    client: Client, other_client: Client
) -> None:
    fan = await register(client, "fan@example.com")
    creator = await register(other_client, "maker@example.com", role="merchant")
    product = await make_product(other_client, "Oolong 乌龙茶", sku="OOLONG-1")

    # Before following, nothing of theirs is in Following.
    assert (await client.get("/api/v1/notes?following=true")).json()["items"] == []
    assert (await client.post(f"/api/v1/users/{creator['id']}/follow")).status_code in (200, 201)

    note = await make_note(other_client, [product["id"]], title="First flush oolong", body="#tea")
    following = (await client.get("/api/v1/notes?following=true")).json()["items"]
    assert [n["id"] for n in following] == [note["id"]]

    stream = (await other_client.post("/api/v1/streams", json={"title": "Tea tasting"})).json()
    assert (await other_client.post(f"/api/v1/streams/{stream['id']}/start")).status_code in (200, 201)

    inbox = (await client.get("/api/v1/notifications")).json()
    live = [n for n in inbox["items"] if n["kind"] == "live"]
    assert len(live) == 1
    assert live[0]["url"] == f"/live/{stream['id']}"
    assert live[0]["subject"] == "Tea tasting"
    assert live[0]["actor"]["id"] == creator["id"]
    # The creator heard about the new follower.
    follows = (await other_client.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["actor"]["id"]) for n in follows] == [("follow", fan["id"])]
