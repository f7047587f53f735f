"""Live chat moderation through the API (issue 13): keyword lists, slow mode, comments off and the
commands the host and moderators type in chat."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import StreamEvent
from tests.helpers import Client
from tests.integration.test_chat_moderation import moderated_room, refused_chat, replay_text, say

# Full-width "SPAM" and half-width katakana "supamu": NFKC makes them "SPAM" and (full-width) "supamu".
FULL_WIDTH_SPAM = "\uff33\uff30\uff21\uff2d"
HALF_WIDTH_SUPAMU = "\uff7d\uff8a\uff9f\uff91"
SUPAMU = "\u30b9\u30d1\u30e0"


async def test_a_keyword_line_is_answered_only_to_its_author_and_never_stored(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    saved = await creator.put("/api/v1/live/keywords", json={"words": ["spam", SUPAMU, " spam "]})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"words": ["spam", SUPAMU]}
    assert (await creator.get("/api/v1/live/keywords")).json() == {"words": ["spam", SUPAMU]}
    for text in (f"cheap {FULL_WIDTH_SPAM} here", f"{HALF_WIDTH_SUPAMU}!", "Spam"):
        kept = await other_shopper.post(f"/api/v1/streams/{stream_id}/chat", json={"text": text})
        assert kept.status_code == 201, kept.text
        assert kept.json()["only_visible_to_you"] is True
        assert kept.json()["type"] == "chat"
        assert kept.json()["text"] == text
        assert "seq" not in kept.json()
    fine = await say(other_shopper, stream_id, "lovely serum")
    assert "only_visible_to_you" not in fine
    events = (await creator.get(f"/api/v1/streams/{stream_id}/replay")).json()["events"]
    assert [e["text"] for e in events if e["type"] == "chat"] == ["lovely serum"]
    # The moderator is not filtered, and the log has what was kept back.
    await say(shopper, stream_id, "no spam please")
    entries = (await creator.get(f"/api/v1/streams/{stream_id}/moderation-log")).json()
    assert [e["detail"]["text"] for e in entries if e["action"] == "keyword_blocked"] == [
        "Spam",
        f"{HALF_WIDTH_SUPAMU}!",
        f"cheap {FULL_WIDTH_SPAM} here",
    ]


async def test_keyword_lists_are_bounded_and_each_hosts_own(creator: Client, merchant: Client) -> None:
    too_many = {"words": [f"w{i}" for i in range(201)]}
    assert (await creator.put("/api/v1/live/keywords", json=too_many)).status_code == 422
    assert (await creator.put("/api/v1/live/keywords", json={"words": ["x" * 51]})).status_code == 422
    assert (await creator.put("/api/v1/live/keywords", json={"words": [""]})).status_code == 422
    assert (await creator.put("/api/v1/live/keywords", json={"words": ["ok"], "x": 1})).status_code == 422
    full = {"words": [f"w{i}" for i in range(200)]}
    assert (await creator.put("/api/v1/live/keywords", json=full)).status_code == 200
    assert (await creator.put("/api/v1/live/keywords", json={"words": ["only"]})).status_code == 200
    assert (await creator.get("/api/v1/live/keywords")).json() == {"words": ["only"]}
    assert (await merchant.get("/api/v1/live/keywords")).json() == {"words": []}
    merchant_room = await moderated_room(merchant)
    assert "only_visible_to_you" not in await say(
        creator, merchant_room, "only is fine in someone else's room"
    )


async def test_slow_mode_allows_one_line_per_interval_and_staff_are_exempt(
    creator: Client, shopper: Client, other_shopper: Client, clock: ModuleType
) -> None:
    stream_id = await moderated_room(creator, shopper)
    settings = await shopper.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 30})
    assert settings.status_code == 200, settings.text
    assert settings.json() == {"slow_mode_s": 30, "comments_off": False}
    await say(other_shopper, stream_id, "first")
    clock.advance(timedelta(seconds=10))
    assert 10 < (await refused_chat(other_shopper, stream_id, 429, "slow_mode"))["retry_after"] <= 20
    for staff in (creator, shopper, creator, shopper):
        await say(staff, stream_id, "staff talk freely")
    clock.advance(timedelta(seconds=21))
    await say(other_shopper, stream_id, "second, later")
    off = await creator.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 0})
    assert off.json() == {"slow_mode_s": 0, "comments_off": False}
    await say(other_shopper, stream_id, "third, at once")
    events = (await creator.get(f"/api/v1/streams/{stream_id}/replay")).json()["events"]
    changes = [(e["slow_mode_s"], e["comments_off"]) for e in events if e["type"] == "chat_settings"]
    assert changes == [(30, False), (0, False)]
    bad = await creator.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 301})
    assert bad.status_code == 422
    assert (
        await other_shopper.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 5})
    ).status_code == 404


async def test_comments_off_refuses_viewers_only(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    made = await creator.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"comments_off": True})
    assert made.json() == {"slow_mode_s": 0, "comments_off": True}
    shown = (await other_shopper.get(f"/api/v1/streams/{stream_id}")).json()["chat_settings"]
    assert shown == {"slow_mode_s": 0, "comments_off": True}
    await refused_chat(other_shopper, stream_id, 403, "comments_off")
    await say(shopper, stream_id, "moderators still talk")
    await say(creator, stream_id, "and the host")
    await creator.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"comments_off": False})
    await say(other_shopper, stream_id, "hello again")


async def test_staff_commands_change_the_room_and_are_never_stored_as_chat(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    name = other_shopper.me["display_name"]
    first = await say(other_shopper, stream_id, "hello everyone")
    url = f"/api/v1/streams/{stream_id}/chat"
    slow = await shopper.post(url, json={"text": "/slow 15"})
    assert slow.status_code == 200, slow.text
    assert slow.json() == {"type": "command", "command": "slow", "slow_mode_s": 15}
    announce = await creator.post(url, json={"text": "/announce Sale at 8pm!"})
    assert (announce.json()["command"], announce.json()["text"]) == ("announce", "Sale at 8pm!")
    hide = await shopper.post(url, json={"text": f"/hide @{name}"})
    assert hide.json() == {"type": "command", "command": "hide", "user_id": other_shopper.id, "deleted": 1}
    mute = await shopper.post(url, json={"text": f"/mute @{name.upper()} 5m"})
    assert mute.status_code == 200, mute.text
    assert (mute.json()["command"], mute.json()["user_id"], mute.json()["duration"]) == (
        "mute",
        other_shopper.id,
        "5m",
    )
    await refused_chat(other_shopper, stream_id, 403, "muted")
    events = (await creator.get(f"/api/v1/streams/{stream_id}/replay")).json()["events"]
    kinds = [e["type"] for e in events]
    # The hidden line is gone from the replay; its chat_deleted event is there.
    assert kinds == ["stream_started", "chat_settings", "announcement", "chat_deleted"]
    announced = next(e for e in events if e["type"] == "announcement")
    assert announced["text"] == "Sale at 8pm!"
    assert announced["by"] == {"id": creator.id, "display_name": creator.me["display_name"]}
    assert next(e for e in events if e["type"] == "chat_deleted")["target_seq"] == first["seq"]
    assert "/slow" not in json.dumps(events)
    assert "hello everyone" not in json.dumps(events)


async def test_commands_from_viewers_are_plain_text_and_bad_ones_are_refused(
    creator: Client, shopper: Client, other_shopper: Client
) -> None:
    stream_id = await moderated_room(creator, shopper)
    plain = await say(other_shopper, stream_id, "/slow 300")
    assert plain["text"] == "/slow 300"
    url = f"/api/v1/streams/{stream_id}/chat"
    by_id = await shopper.post(url, json={"text": f"/mute @{other_shopper.id} 30s"})
    assert (by_id.status_code, by_id.json()["user_id"]) == (200, other_shopper.id)
    assert (await shopper.post(url, json={"text": "/mute @nobody-here 5m"})).status_code == 404
    assert (await creator.post(url, json={"text": "/slow 301"})).status_code == 422
    assert (await creator.post(url, json={"text": "/slow soon"})).status_code == 422
    assert (await creator.post(url, json={"text": "/mute @x forever"})).status_code == 422
    refused = await shopper.post(url, json={"text": f"/mute @{creator.id} 5m"})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    # An unknown command from staff is just chat. (Commands count against the 5-a-burst limit too.)
    assert (await shopper.post(url, json={"text": "/shrug"})).status_code == 201
    assert "/shrug" in await replay_text(creator, stream_id)


async def test_two_lines_at_once_in_slow_mode_let_one_through(
    creator: Client, other_shopper: Client, db: AsyncSession
) -> None:
    """The slow-mode stamp is one conditional write: lines racing in pass once, never twice."""
    stream_id = await moderated_room(creator)
    await creator.put(f"/api/v1/streams/{stream_id}/chat-settings", json={"slow_mode_s": 60})
    url = f"/api/v1/streams/{stream_id}/chat"
    answers = await asyncio.gather(*(other_shopper.post(url, json={"text": f"line {i}"}) for i in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 429, 429, 429]
    assert {a.json()["code"] for a in answers if a.status_code == 429} == {"slow_mode"}
    said = await db.scalar(
        select(func.count())
        .select_from(StreamEvent)
        .where(StreamEvent.stream_id == stream_id, StreamEvent.type == "chat")
    )
    assert said == 1
