"""The room's socket against a hostile client: a signed-out session, floods, folded likes, resumes
that cost a query each, and malformed frames (answered, while the socket stays open)."""

import asyncio
import json
import math
import time
from typing import Any

from litestar import Litestar
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from live.counters import FLUSH_S
from live.socket_limits import (
    CHAT_BURST,
    CHATS_PER_S,
    FLOOD_DEBT,
    LIKE_BURST,
    LIKES_PER_S,
    MESSAGE_BURST,
    MESSAGES_PER_S,
    POLICY_VIOLATION,
    RESUME_BURST,
    RESUMES_PER_S,
)
from tests.helpers import PASSWORD, Client
from tests.live_helpers import next_message, queries_of, streaming_room


def _url(served: str, stream_id: int) -> str:
    return f"ws://{served.removeprefix('http://')}/live/streams/{stream_id}/ws"


def _cookie(browser: Client) -> dict[str, str]:
    """The browser's session cookie, for a socket opened outside it."""
    return {"Cookie": f"session={browser.raw.cookies.get('session')}"}


async def test_a_socket_cannot_chat_once_its_session_signed_out(
    client: Client, other_client: Client, served: str, app: Litestar
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    async with connect(_url(served, stream_id), additional_headers=_cookie(client)) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "chat", "text": "before"}))
        assert (await next_message(ws, "chat"))["text"] == "before"
        assert (await client.post("/api/v1/auth/logout")).status_code == 200
        await ws.send(json.dumps({"type": "chat", "text": "after sign-out"}))
        assert (await next_message(ws, "error"))["code"] == "authentication_required"
        # Signing in again opens a new session: the old socket stays signed out.
        login = {"email": "host@example.com", "password": PASSWORD}
        assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
        with queries_of(app, "user_sessions") as queries:
            await ws.send(json.dumps({"type": "chat", "text": "after signing in again"}))
            assert (await next_message(ws, "error"))["code"] == "authentication_required"
        assert queries == []  # found signed out once: the socket is anonymous from then on
    async with connect(_url(served, stream_id)) as late:
        snapshot = json.loads(await late.recv())
        assert [m["text"] for m in snapshot["stream"]["chat"]] == ["before"]


def _most(burst: int, per_s: float, started: float) -> int:
    """The most a token bucket lets through from `started` until now: the burst, plus its refill
    (the server may take longer than the client to work through the frames)."""
    return burst + math.floor((time.monotonic() - started) * per_s)


async def _likes_now(served: str, stream_id: int) -> int:
    await asyncio.sleep(FLUSH_S * 2)  # counted likes are flushed every FLUSH_S
    async with connect(_url(served, stream_id)) as ws:
        return int(json.loads(await ws.recv())["stream"]["likes"])


async def test_one_sockets_likes_are_folded_to_its_pace(
    client: Client, other_client: Client, served: str
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    async with connect(_url(served, stream_id)) as tapper:
        await tapper.recv()
        started = time.monotonic()
        for _ in range(20):
            await tapper.send(json.dumps({"type": "like"}))
        # Folded likes are not answered: the next reply is this frame's.
        await tapper.send(json.dumps({"type": "ping"}))
        assert (await next_message(tapper, "error"))["code"] == "unknown_type"
        most = _most(LIKE_BURST, LIKES_PER_S, started)
        counted = await _likes_now(served, stream_id)
    assert LIKE_BURST <= counted <= most < 20


async def _drain(ws: Any) -> list[dict[str, Any]]:
    """Every message until the server closes the socket."""
    seen: list[dict[str, Any]] = []
    try:
        while True:
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=5)))
    except ConnectionClosed:
        return seen


async def test_a_flooding_socket_is_refused_then_closed(
    client: Client, other_client: Client, served: str
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    async with connect(_url(served, stream_id)) as watcher, connect(_url(served, stream_id)) as flood:
        await watcher.recv()
        await flood.recv()
        reader = asyncio.create_task(_drain(flood))
        started = time.monotonic()
        try:
            for _ in range(10 * (MESSAGE_BURST + FLOOD_DEBT)):
                await flood.send(json.dumps({"type": "like"}))
        except ConnectionClosed:
            pass
        seen = await reader
        most_likes = _most(LIKE_BURST, LIKES_PER_S, started)
        most_refused = _most(FLOOD_DEBT, MESSAGES_PER_S, started)
        assert flood.close_code == POLICY_VIOLATION
        refused = [m for m in seen if m["type"] == "error"]
        assert refused
        assert {m["code"] for m in refused} == {"rate_limited"}
        assert len(refused) <= most_refused  # answered until the debt is full, then closed
        # The other viewer is still in the room.
        await client.post(f"/api/v1/streams/{stream_id}/end")
        assert (await next_message(watcher, "stream_ended"))["type"] == "stream_ended"
    assert await _likes_now(served, stream_id) <= most_likes


async def test_the_budget_refills_after_a_burst(client: Client, other_client: Client, served: str) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    async with connect(_url(served, stream_id)) as ws:
        await ws.recv()
        for _ in range(MESSAGE_BURST + 5):
            await ws.send(json.dumps({"type": "like"}))
        refused = await next_message(ws, "error")
        assert refused["code"] == "rate_limited"
        assert refused["retry_after"] >= 1
        await asyncio.sleep(1.5)  # the budget refills: the socket is served again
        await ws.send(json.dumps({"type": "ping"}))
        while (reply := await next_message(ws, "error"))["code"] == "rate_limited":
            pass  # the refusals of the burst, still in flight
        assert reply["code"] == "unknown_type"


BAD_FRAMES: list[tuple[str | bytes, str]] = [
    ('{"type":"resume","after_seq":"abc"}', "bad_message"),
    ('{"type":"resume","after_seq":-1}', "bad_message"),
    ('{"type":"resume","after_seq":2.5}', "bad_message"),
    ('{"type":"resume","after_seq":true}', "bad_message"),
    ('{"type":"resume","after_seq":366953868345959317504}', "bad_message"),
    ('{"type":"chat","text":5}', "bad_message"),
    ('{"type":"chat"}', "bad_message"),
    ('{"type":"like","count":1000}', "bad_message"),
    ('{"type":"dance"}', "unknown_type"),
    ('{"type":["like"]}', "unknown_type"),
    ('{"after_seq":1}', "unknown_type"),
    ("[1, 2]", "bad_message"),
    ("not json", "bad_message"),
    ("[" * 2000, "bad_message"),
    ("x" * 10_000, "too_long"),
    (b"\x00\x01binary", "bad_message"),
]


async def test_malformed_frames_are_answered_and_the_socket_stays_open(
    client: Client, other_client: Client, served: str
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
    async with connect(_url(served, stream_id)) as ws:
        seq = json.loads(await ws.recv())["seq"]
        answers = []
        for frame, code in BAD_FRAMES:
            await ws.send(frame)
            answers.append(await next_message(ws, "error"))
            assert answers[-1]["code"] == code, frame
        assert list(answers[0]["fields"]) == ["after_seq"]  # says which field is wrong
        await ws.send(json.dumps({"type": "resume", "after_seq": seq - 1}))
        assert (await next_message(ws, "pin"))["seq"] == seq


async def test_resumes_have_a_budget_and_refused_ones_run_no_query(
    client: Client, other_client: Client, served: str, app: Litestar
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[0]})
    sent = RESUME_BURST + 3
    async with connect(_url(served, stream_id)) as ws:
        seq = json.loads(await ws.recv())["seq"]
        started = time.monotonic()
        with queries_of(app, "stream_events") as queries:
            for _ in range(sent):
                await ws.send(json.dumps({"type": "resume", "after_seq": seq - 1}))
            replies: list[dict[str, Any]] = []
            while len(replies) < sent:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
                if reply["type"] not in ("viewers", "likes"):  # counts, not replies
                    replies.append(reply)
        most = _most(RESUME_BURST, RESUMES_PER_S, started)
    resumed = [r for r in replies if r["type"] == "pin"]
    assert RESUME_BURST <= len(resumed) <= most < sent
    assert {r["code"] for r in replies if r["type"] == "error"} == {"rate_limited"}
    assert len(queries) == len(resumed)  # a refused resume costs no query


async def test_chat_over_its_pace_is_refused_without_a_query(
    client: Client, other_client: Client, served: str, app: Litestar
) -> None:
    stream_id, _ = await streaming_room(client, other_client)
    async with connect(_url(served, stream_id), additional_headers=_cookie(client)) as ws:
        await ws.recv()
        started = time.monotonic()
        with queries_of(app, "user_sessions") as queries:
            for n in range(CHAT_BURST + 3):
                await ws.send(json.dumps({"type": "chat", "text": f"line {n}"}))
            replies: list[dict[str, Any]] = []
            while len(replies) < CHAT_BURST + 3:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
                if reply["type"] in ("chat", "error"):
                    replies.append(reply)
        most = _most(CHAT_BURST, CHATS_PER_S, started)
    assert sorted(r["type"] for r in replies) == ["chat"] * CHAT_BURST + ["error"] * 3
    assert {r["code"] for r in replies if r["type"] == "error"} == {"rate_limited"}
    # The session is checked for each line the socket's pace lets through, and only those.
    assert CHAT_BURST <= len(queries) <= most < CHAT_BURST + 3


async def test_replies_keep_the_handshakes_language(
    client: Client, other_client: Client, served: str
) -> None:
    """The room runs past Litestar's chain once accepted (shop.core.asgi THEN): its replies are
    still said in the language the handshake negotiated."""
    stream_id, _ = await streaming_room(client, other_client)
    headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
    async with connect(_url(served, stream_id), additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        await ws.send(json.dumps({"type": "chat", "text": "hi"}))
        refused = await next_message(ws, "error")
    assert refused["code"] == "authentication_required"
    assert refused["message"] == "\u767b\u5f55\u540e\u624d\u80fd\u804a\u5929\u3002"  # Sign in to chat.
