"""The social loop end to end: follow a creator, see their new note in Following, hear them go live."""

from __future__ import annotations

from tests.helpers import Client, make_note, make_product


async def test_follow_then_following_feed_then_live_notification(shopper: Client, merchant: Client) -> None:
    product = await make_product(merchant, "Oolong 乌龙茶", sku="OOLONG-1")

    # Before following, nothing of theirs is in Following.
    assert (await shopper.get("/api/v1/notes?following=true")).json()["items"] == []
    assert (await shopper.post(f"/api/v1/users/{merchant.id}/follow")).status_code in (200, 201)

    note = await make_note(merchant, [product["id"]], title="First flush oolong", body="#tea")
    following = (await shopper.get("/api/v1/notes?following=true")).json()["items"]
    assert [n["id"] for n in following] == [note["id"]]

    stream = (await merchant.post("/api/v1/streams", json={"title": "Tea tasting"})).json()
    assert (await merchant.post(f"/api/v1/streams/{stream['id']}/start")).status_code in (200, 201)

    inbox = (await shopper.get("/api/v1/notifications")).json()
    live = [n for n in inbox["items"] if n["kind"] == "live"]
    assert len(live) == 1
    assert live[0]["url"] == f"/live/{stream['id']}"
    assert live[0]["subject"] == "Tea tasting"
    assert live[0]["actor"]["id"] == merchant.id
    # The host heard about the new follower.
    follows = (await merchant.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["actor"]["id"]) for n in follows] == [("follow", shopper.id)]
