"""Live chat moderation in the room's socket (issue 13): deletes reach viewers and leave the
snapshot and `resume`; mutes and blocks refuse chat (and a blocked viewer's likes do not count);
keyword lines and command answers go to their author's socket only; the snapshot has the chat
settings and the latest announcement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import connect

from tests.helpers import Client
from tests.integration.test_chat_moderation import moderated_room, mute, say
from tests.live_helpers import next_message


def _url(served: str, stream_id: int) -> str:
    return f"ws://{served.removeprefix('http://')}/live/streams/{stream_id}/ws"


def _as(browser: Client) -> dict[str, str]:
    return {"Cookie": f"session={browser.raw.cookies.get('session')}"}


async def _until(ws: Any, kind: str) -> list[dict[str, Any]]:
    """Every sequenced message up to and including the next one of type `kind` (counts left out)."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["type"] != kind:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        if message["type"] not in {"viewers", "likes"}:
            seen.append(message)
    return seen


@asynccontextmanager
async def _room(served: str, stream_id: int, browser: Client) -> AsyncIterator[tuple[Any, Any, int]]:
    """`browser`'s socket and an anonymous viewer's, snapshots read: (theirs, viewer's, seq)."""
    url = _url(served, stream_id)
    async with connect(url, additional_headers=_as(browser)) as mine, connect(url) as viewer:
        await mine.recv()
        yield mine, viewer, json.loads(await viewer.recv())["seq"]


async def _chat(ws: Any, text: str) -> None:
    await ws.send(json.dumps({"type": "chat", "text": text}))


async def test_a_delete_reaches_viewers_and_the_text_leaves_snapshot_and_resume(
    creator: Client, shopper: Client, other_shopper: Client, served: str
) -> None:
    stream_id = await moderated_room(creator, shopper)
    async with _room(served, stream_id, other_shopper) as (author, viewer, start):
        await _chat(author, "secret phone number")
        line = await next_message(viewer, "chat")
        assert line["text"] == "secret phone number"
        assert (await shopper.delete(f"/api/v1/streams/{stream_id}/chat/{line['seq']}")).status_code == 204
        deleted = await next_message(viewer, "chat_deleted")
        assert (deleted["target_seq"], deleted["seq"]) == (line["seq"], line["seq"] + 1)
        await viewer.send(json.dumps({"type": "resume", "after_seq": start}))
        resumed = [json.loads(await viewer.recv()) for _ in range(2)]
    # The line keeps its seq (no gap for the page to chase) but not its text, author or type.
    assert resumed == [{"type": "chat_removed", "seq": line["seq"], "ts": line["ts"]}, deleted]
    async with connect(_url(served, stream_id)) as late:
        raw = await late.recv()
    assert "secret phone number" not in raw
    assert json.loads(raw)["stream"]["chat"] == []


async def test_muted_and_blocked_viewers_cannot_chat_and_blocked_likes_do_not_count(
    creator: Client, shopper: Client, other_shopper: Client, served: str
) -> None:
    stream_id = await moderated_room(creator, shopper)
    await mute(shopper, stream_id, other_shopper, "5m")
    async with _room(served, stream_id, other_shopper) as (muted, viewer, _):
        await _chat(muted, "let me talk")
        error = await next_message(muted, "error")
        assert (error["code"], error["message"]) == ("muted", "You are muted.")
        assert 290 < error["retry_after"] <= 300
        blocked = await shopper.post(
            f"/api/v1/streams/{stream_id}/blocks", json={"user_id": other_shopper.id}
        )
        assert blocked.status_code == 201
        await muted.send(json.dumps({"type": "like"}))
        await _chat(muted, "still here")
        # The socket answers in order: once this error is back, its like was handled (and dropped).
        assert (await next_message(muted, "error"))["code"] == "blocked"
        await viewer.send(json.dumps({"type": "like"}))
        assert (await next_message(viewer, "likes"))["count"] == 1


async def test_a_keyword_line_reaches_its_author_only(
    creator: Client, shopper: Client, other_shopper: Client, served: str
) -> None:
    stream_id = await moderated_room(creator, shopper)
    await creator.put("/api/v1/live/keywords", json={"words": ["giveaway"]})
    async with _room(served, stream_id, other_shopper) as (author, viewer, _):
        await _chat(author, "free GIVEAWAY link")
        private = await next_message(author, "chat")
        assert (private["text"], private["only_visible_to_you"]) == ("free GIVEAWAY link", True)
        assert "seq" not in private
        await say(shopper, stream_id, "welcome all")
        # The viewer's next chat is the moderator's: the keyword line never reached it.
        assert (await next_message(viewer, "chat"))["text"] == "welcome all"
        assert (await next_message(author, "chat"))["text"] == "welcome all"


async def test_commands_over_the_socket_answer_the_issuer_and_change_the_room(
    creator: Client, shopper: Client, other_shopper: Client, served: str
) -> None:
    stream_id = await moderated_room(creator, shopper)
    async with _room(served, stream_id, shopper) as (mod, viewer, _):
        await _chat(mod, "/slow 10")
        done = await next_message(mod, "command_done")
        assert (done["command"], done["slow_mode_s"]) == ("slow", 10)
        await _chat(mod, "/mute @nobody-here 5m")
        assert (await next_message(mod, "error"))["code"] == "not_found"
        await _chat(mod, "/announce Giveaway at 9!")
        assert (await next_message(mod, "command_done"))["command"] == "announce"
        seen = await _until(viewer, "announcement")
    # The viewer hears what changed, never the commands' answers.
    assert [m["type"] for m in seen] == ["chat_settings", "announcement"]
    assert (seen[-2]["slow_mode_s"], seen[-2]["comments_off"]) == (10, False)
    assert seen[-1]["by"] == {"id": shopper.id, "display_name": shopper.me["display_name"]}
    async with connect(_url(served, stream_id), additional_headers=_as(other_shopper)) as late:
        snapshot = json.loads(await late.recv())["stream"]
        assert snapshot["chat_settings"] == {"slow_mode_s": 10, "comments_off": False}
        assert snapshot["announcement"]["text"] == "Giveaway at 9!"
        assert snapshot["chat"] == []  # commands are not chat
        await _chat(late, "first")
        assert (await next_message(late, "chat"))["text"] == "first"
        await _chat(late, "second")
        slowed = await next_message(late, "error")
        assert slowed["code"] == "slow_mode"
        assert 0 < slowed["retry_after"] <= 10
