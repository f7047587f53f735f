"""Chat moderation across two app processes sharing PostgreSQL and Redis (issue 13): a mute made
on process A refuses chat on process B (API and socket), and a delete made on A reaches a viewer's
socket on B as chat_deleted, after which B's snapshot no longer has the text."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.helpers import Client, register
from tests.scaled.test_two_processes import two_processes  # noqa: F401  (the fixture)


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message["type"] == kind:
            return dict(message)


def _cookie(browser: Client) -> dict[str, str]:
    return {"Cookie": f"session={browser.raw.cookies.get('session')}"}


async def test_mutes_and_deletes_made_on_a_hold_on_b(two_processes: tuple[str, str]) -> None:  # noqa: F811
    a, b = two_processes
    tag = uuid.uuid4().hex[:6]
    async with (
        httpx.AsyncClient(base_url=f"http://{a}") as host_raw,
        httpx.AsyncClient(base_url=f"http://{b}") as muted_raw,
        httpx.AsyncClient(base_url=f"http://{b}") as talker_raw,
    ):
        host, muted, talker = Client(host_raw), Client(muted_raw), Client(talker_raw)
        await register(host, f"host-{tag}@example.com", role="creator")
        muted.me = await register(muted, f"muted-{tag}@example.com")
        await register(talker, f"talker-{tag}@example.com")
        stream_id = (await host.post("/api/v1/streams", json={"title": "Two rooms"})).json()["id"]
        assert (await host.post(f"/api/v1/streams/{stream_id}/start")).status_code == 200
        body = {"user_id": muted.id, "duration": "5m"}
        assert (await host.post(f"/api/v1/streams/{stream_id}/mutes", json=body)).status_code == 201
        refused = await muted.post(f"/api/v1/streams/{stream_id}/chat", json={"text": "on B"})
        assert (refused.status_code, refused.json()["code"]) == (403, "muted")
        url = f"ws://{b}/live/streams/{stream_id}/ws"
        async with connect(url, additional_headers=_cookie(muted)) as muted_ws, connect(url) as viewer:
            await muted_ws.recv()
            await viewer.recv()
            await muted_ws.send(json.dumps({"type": "chat", "text": "over the socket on B"}))
            assert (await _next(muted_ws, "error"))["code"] == "muted"
            said = await talker.post(f"/api/v1/streams/{stream_id}/chat", json={"text": "delete me"})
            assert said.status_code == 201, said.text
            seq = said.json()["seq"]
            assert (await _next(viewer, "chat"))["text"] == "delete me"
            assert (await host.delete(f"/api/v1/streams/{stream_id}/chat/{seq}")).status_code == 204
            assert (await _next(viewer, "chat_deleted"))["target_seq"] == seq
        async with connect(url) as late:
            snapshot = await late.recv()
    assert "delete me" not in snapshot
    assert json.loads(snapshot)["stream"]["chat"] == []
