"""Live chat moderation through the API (issue 13): deletes, mutes, blocks, rights and the log.

The host is a creator; a shopper is made the stream's moderator; another shopper is the viewer.
Keywords, slow mode and commands are in test_chat_moderation_rules.py, the socket in
test_chat_moderation_socket.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import ModuleType
from typing import Any

from tests.helpers import Client, register


async def moderated_room(host: Client, moderator: Client | None = None) -> int:
    """A live stream hosted by `host`, with `moderator` (if any) as its moderator."""
    made = await host.post("/api/v1/streams", json={"title": "Moderated"})
    assert made.status_code == 201, made.text
    stream_id = int(made.json()["id"])
    assert (await host.post(f"/api/v1/streams/{stream_id}/start")).status_code == 200
    if moderator is not None:
        added = await host.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": moderator.id})
        assert added.status_code == 201, added.text
    return stream_id


async def say(browser: Client, stream_id: int, text: str) -> dict[str, Any]:
    said = await browser.post(f"/api/v1/streams/{stream_id}/chat", json={"text": text})
    assert said.status_code == 201, said.text
    return dict(said.json())


async def mute(actor: Client, stream_id: int, user: Client, duration: str) -> dict[str, Any]:
    muted = await actor.post(
        f"/api/v1/streams/{stream_id}/mutes", json={"user_id": user.id, "duration": duration}
    )
    assert muted.status_code == 201, muted.text
    assert (muted.json()["user_id"], muted.json()["duration"]) == (user.id, duration)
    return dict(muted.json())


async def refused_chat(browser: Client, stream_id: int, status: int, code: str) -> dict[str, Any]:
    refused = await browser.post(f"/api/v1/streams/{stream_id}/chat", json={"text": "may I?"})
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    return dict(refused.json())


async def replay_text(browser: Client, stream_id: int) -> str:
    replay = await browser.get(f"/api/v1/streams/{stream_id}/replay")
    assert replay.status_code == 200
    return json.dumps(replay.json()["events"])


async def test_a_deleted_line_leaves_the_replay_and_a_chat_deleted_event_takes_its_place(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    doomed = await say(other_shopper, stream_id, "buy followers at spam dot example")
    kept = await say(other_shopper, stream_id, "lovely serum")
    gone = await shopper.delete(f"/api/v1/streams/{stream_id}/chat/{doomed['seq']}")
    assert gone.status_code == 204, gone.text
    events = (await other_shopper.get(f"/api/v1/streams/{stream_id}/replay")).json()["events"]
    deleted = [e for e in events if e["type"] == "chat_deleted"]
    assert [(e["target_seq"], e["seq"]) for e in deleted] == [(doomed["seq"], kept["seq"] + 1)]
    assert "spam dot example" not in json.dumps(events)
    assert [e["text"] for e in events if e["type"] == "chat"] == ["lovely serum"]
    # Already deleted, not a chat line, or not there at all: 404.
    for seq in (doomed["seq"], deleted[0]["seq"], 10**6):
        assert (await creator.delete(f"/api/v1/streams/{stream_id}/chat/{seq}")).status_code == 404


async def test_only_the_host_and_moderators_delete(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator)
    line = await say(shopper, stream_id, "hello")
    # The author is no moderator, nor is a stranger: the stream is not theirs to run (404).
    for browser in (shopper, other_shopper):
        refused = await browser.delete(f"/api/v1/streams/{stream_id}/chat/{line['seq']}")
        assert refused.status_code == 404
    assert "hello" in await replay_text(creator, stream_id)
    assert (await creator.delete(f"/api/v1/streams/{stream_id}/chat/{line['seq']}")).status_code == 204
    assert "hello" not in await replay_text(creator, stream_id)


async def test_a_mute_refuses_chat_with_retry_after_until_it_ends(
    creator: Client, shopper: Client, other_shopper: Client, clock: ModuleType
) -> None:
    stream_id = await moderated_room(creator, shopper)
    assert (await mute(shopper, stream_id, other_shopper, "30s"))["until"] is not None
    clock.advance(timedelta(seconds=10))
    assert 10 < (await refused_chat(other_shopper, stream_id, 403, "muted"))["retry_after"] <= 20
    clock.advance(timedelta(seconds=21))
    await say(other_shopper, stream_id, "back again")


async def test_a_mute_for_the_rest_of_the_stream_has_no_retry_and_unmute_lifts_it(
    creator: Client, shopper: Client, other_shopper: Client, clock: ModuleType
) -> None:
    stream_id = await moderated_room(creator, shopper)
    assert (await mute(creator, stream_id, other_shopper, "stream"))["until"] is None
    clock.advance(timedelta(hours=5))
    assert (await refused_chat(other_shopper, stream_id, 403, "muted"))["retry_after"] is None
    unmute = f"/api/v1/streams/{stream_id}/mutes/{other_shopper.id}"
    assert (await shopper.delete(unmute)).status_code == 204
    assert (await shopper.delete(unmute)).status_code == 404
    await say(other_shopper, stream_id, "thanks")


async def test_a_mute_that_removes_messages_deletes_every_line_of_that_user(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    first = await say(other_shopper, stream_id, "spam one")
    await say(shopper, stream_id, "moderator here")
    second = await say(other_shopper, stream_id, "spam two")
    body = {"user_id": other_shopper.id, "duration": "5m", "remove_messages": True}
    # (The other mutes go through `mute`; this one also asks to remove what they said.)
    assert (await shopper.post(f"/api/v1/streams/{stream_id}/mutes", json=body)).status_code == 201
    events = (await creator.get(f"/api/v1/streams/{stream_id}/replay")).json()["events"]
    assert [e["target_seq"] for e in events if e["type"] == "chat_deleted"] == [first["seq"], second["seq"]]
    assert [e["text"] for e in events if e["type"] == "chat"] == ["moderator here"]


async def test_nobody_mutes_or_blocks_the_host_or_a_moderator(
    creator: Client, shopper: Client, other_shopper: Client, client: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    client.me = await register(client, "second-mod@example.com")
    added = await creator.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": client.id})
    assert added.status_code == 201
    for actor, target in ((shopper, creator), (shopper, client), (creator, shopper)):
        body = {"user_id": target.id, "duration": "5m"}
        refused = await actor.post(f"/api/v1/streams/{stream_id}/mutes", json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        blocked = await actor.post(f"/api/v1/streams/{stream_id}/blocks", json={"user_id": target.id})
        assert (blocked.status_code, blocked.json()["code"]) == (403, "forbidden")
    # A viewer is no moderator: the console's routes are 404 to them.
    body = {"user_id": client.id, "duration": "5m"}
    assert (await other_shopper.post(f"/api/v1/streams/{stream_id}/mutes", json=body)).status_code == 404
    unknown = await creator.post(
        f"/api/v1/streams/{stream_id}/mutes", json={"user_id": 10**9, "duration": "5m"}
    )
    assert unknown.status_code == 404
    wrong = await creator.post(
        f"/api/v1/streams/{stream_id}/mutes", json={"user_id": client.id, "duration": "1h"}
    )
    assert wrong.status_code == 422


async def test_a_block_covers_every_stream_of_the_host_but_they_still_watch(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    first = await moderated_room(creator, shopper)
    second = await moderated_room(creator)
    blocked = await creator.post("/api/v1/live/blocks", json={"user_id": other_shopper.id})
    assert blocked.status_code == 201, blocked.text
    listed = (await creator.get("/api/v1/live/blocks")).json()
    assert [(b["user_id"], b["display_name"]) for b in listed] == [
        (other_shopper.id, other_shopper.me["display_name"])
    ]
    for stream_id in (first, second):
        assert (await refused_chat(other_shopper, stream_id, 403, "blocked"))["retry_after"] is None
        assert (await other_shopper.get(f"/api/v1/streams/{stream_id}")).status_code == 200
    # The host cannot block themself.
    assert (await creator.post("/api/v1/live/blocks", json={"user_id": creator.id})).status_code == 403
    assert (await creator.delete(f"/api/v1/live/blocks/{other_shopper.id}")).status_code == 204
    assert (await creator.delete(f"/api/v1/live/blocks/{other_shopper.id}")).status_code == 404
    await say(other_shopper, first, "thanks for unblocking")
    assert (await creator.get("/api/v1/live/blocks")).json() == []


async def test_a_moderator_blocks_on_the_hosts_behalf(
    creator: Client, shopper: Client, other_shopper: Client, merchant: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    made = await shopper.post(f"/api/v1/streams/{stream_id}/blocks", json={"user_id": other_shopper.id})
    assert made.status_code == 201, made.text
    assert [b["user_id"] for b in (await creator.get("/api/v1/live/blocks")).json()] == [other_shopper.id]
    # The moderator's own list (as a host) is untouched, and the block is the host's only.
    assert (await shopper.get("/api/v1/live/blocks")).json() == []
    other_stream = (await merchant.post("/api/v1/streams", json={"title": "Elsewhere"})).json()["id"]
    await merchant.post(f"/api/v1/streams/{other_stream}/start")
    await say(other_shopper, other_stream, "still welcome here")


async def test_only_the_host_removes_moderators(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    mods = (await shopper.get(f"/api/v1/streams/{stream_id}/moderators")).json()
    assert mods == [{"user_id": shopper.id, "display_name": shopper.me["display_name"]}]
    assert (await other_shopper.get(f"/api/v1/streams/{stream_id}/moderators")).status_code == 404
    remove = f"/api/v1/streams/{stream_id}/moderators/{shopper.id}"
    assert (await shopper.delete(remove)).status_code == 404
    assert (await creator.delete(remove)).status_code == 204
    assert (await creator.delete(remove)).status_code == 404
    line = await say(other_shopper, stream_id, "hello")
    # No longer a moderator: the console is closed to them.
    assert (await shopper.delete(f"/api/v1/streams/{stream_id}/chat/{line['seq']}")).status_code == 404
    assert (await creator.get(f"/api/v1/streams/{stream_id}/moderators")).json() == []


async def test_every_action_is_in_the_log_newest_first(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    line = await say(other_shopper, stream_id, "rude words")
    await shopper.delete(f"/api/v1/streams/{stream_id}/chat/{line['seq']}")
    await shopper.post(
        f"/api/v1/streams/{stream_id}/mutes", json={"user_id": other_shopper.id, "duration": "5m"}
    )
    await creator.delete(f"/api/v1/streams/{stream_id}/mutes/{other_shopper.id}")
    await shopper.post(f"/api/v1/streams/{stream_id}/blocks", json={"user_id": other_shopper.id})
    await creator.delete(f"/api/v1/live/blocks/{other_shopper.id}")
    await creator.put("/api/v1/live/keywords", json={"words": ["rude"]})
    await shopper.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 10})
    await creator.delete(f"/api/v1/streams/{stream_id}/moderators/{shopper.id}")
    entries = (await creator.get(f"/api/v1/streams/{stream_id}/moderation-log")).json()
    actions = [(e["action"], e["actor"]["id"], (e["target"] or {}).get("id")) for e in entries]
    assert actions == [
        ("moderator_remove", creator.id, shopper.id),
        ("chat_settings", shopper.id, None),
        ("keywords", creator.id, None),
        ("unblock", creator.id, other_shopper.id),
        ("block", shopper.id, other_shopper.id),
        ("unmute", creator.id, other_shopper.id),
        ("mute", shopper.id, other_shopper.id),
        ("delete", shopper.id, other_shopper.id),
        ("moderator_add", creator.id, shopper.id),
    ]
    assert entries[-2]["target"]["display_name"] == other_shopper.me["display_name"]
    assert entries[-2]["detail"]["seq"] == line["seq"]
    # The former moderator, and any viewer, may not read it.
    assert (await shopper.get(f"/api/v1/streams/{stream_id}/moderation-log")).status_code == 404
    assert (await other_shopper.get(f"/api/v1/streams/{stream_id}/moderation-log")).status_code == 404
