"""Live pages: the list, going live, the room, the console (hosts only) and the replay."""

import html
import json
import re

from tests.helpers import Client
from tests.live_helpers import launch_sale, streaming_room


def _room_state(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json" id="room-state">(.*?)</script>', page, re.S)
    assert found, "the room's first state is embedded"
    return dict(json.loads(found.group(1)))


async def test_list_shows_live_scheduled_and_replays(client: Client, other_client: Client) -> None:
    live_id, _ = await streaming_room(client, other_client)
    soon = await client.post("/api/v1/streams", json={"title": "<b>Tomorrow</b> drop"})
    ended = await client.post("/api/v1/streams", json={"title": "Last week"})
    await client.post(f"/api/v1/streams/{ended.json()['id']}/start")
    await client.post(f"/api/v1/streams/{ended.json()['id']}/end")
    page = (await client.get("/live")).text
    sections = {
        name: page.split(f'data-section="{name}"')[1][:3000] for name in ("live", "scheduled", "ended")
    }
    assert f'href="/live/{live_id}"' in sections["live"]
    assert "&lt;b&gt;Tomorrow&lt;/b&gt; drop" in sections["scheduled"]
    assert "<b>Tomorrow" not in page
    assert f'href="/live/{ended.json()["id"]}/replay"' in sections["ended"]
    assert soon.status_code == 201
    assert 'href="/live/new"' in page  # creators may go live


async def test_go_live_form_creates_a_stream_and_rejects_bad_input(shopper: Client, creator: Client) -> None:
    assert (await shopper.get("/live/new")).status_code == 403
    bad = await creator.form("/live/new", {"title": "", "playback_url": "not a url"})
    assert bad.status_code == 422
    assert 'class="field-error"' in bad.text
    assert "not a url" in bad.text
    made = await creator.form(
        "/live/new", {"title": "Sunday haul", "playback_url": "", "scheduled_at": "2030-01-02T18:30"}
    )
    assert made.status_code in (302, 303)
    stream_id = int(made.headers["location"].split("/")[2])
    stream = (await creator.get(f"/api/v1/streams/{stream_id}")).json()
    assert (stream["title"], stream["status"]) == ("Sunday haul", "scheduled")
    assert stream["scheduled_at"].startswith("2030-01-02T18:30")
    assert (await creator.form("/live/new", {"title": "x"}, csrf=False)).status_code == 403


async def test_signed_out_hosts_are_sent_to_sign_in(anonymous: Client, creator: Client) -> None:
    stream_id = (await creator.post("/api/v1/streams", json={"title": "Soon"})).json()["id"]
    for path in ("/live/new", f"/live/{stream_id}/console"):
        response = await anonymous.get(path)
        assert response.status_code in (302, 303), path
        assert response.headers["location"] == f"/login?next={path}"
    api = await anonymous.post("/api/v1/streams", json={"title": "Nope"})  # the API still answers JSON
    assert (api.status_code, api.json()["code"]) == (401, "authentication_required")


async def test_missing_rooms_and_replays_show_the_error_page(anonymous: Client, creator: Client) -> None:
    for browser, path in (
        (anonymous, "/live/999"),
        (anonymous, "/live/999/replay"),
        (creator, "/live/999/console"),
    ):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert '<p class="empty-code">404</p>' in response.text, path
    api = await anonymous.get("/api/v1/streams/999")
    assert (api.status_code, api.json()["code"]) == (404, "not_found")


async def test_room_page_embeds_the_current_state_safely(
    client: Client, other_client: Client, shopper: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client, brand_hosted=True)
    await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": ids[1]})
    variant_id = (await client.get(f"/api/v1/products/{ids[0]}")).json()["variants"][0]["id"]
    sale = await launch_sale(
        client, {"stream_id": stream_id, "variant_id": variant_id}, quantity=5, limit=1, price=100
    )
    page = await shopper.get(f"/live/{stream_id}")
    assert page.status_code == 200
    state = _room_state(page.text)
    assert state["pinned"]["id"] == ids[1]
    assert [p["id"] for p in state["products"]] == ids
    assert (state["flash_sale"]["id"], state["flash_sale"]["remaining"]) == (sale["id"], 5)
    assert state["flash_sale"]["product"]["id"] == ids[0]
    assert "data-chat-form" in page.text  # the shopper is signed in: they may chat
    assert f'href="/live/{stream_id}/console"' not in page.text  # viewers get no console link


async def test_stream_titles_cannot_break_out_of_the_embedded_state(creator: Client) -> None:
    title = "</script><script>alert(1)</script>"
    stream_id = (await creator.post("/api/v1/streams", json={"title": title})).json()["id"]
    page = (await creator.get(f"/live/{stream_id}")).text
    assert "<script>alert(1)" not in page
    assert _room_state(page)["title"] == title
    assert html.escape(title) in page


async def test_console_is_for_the_host_and_moderators_only(
    client: Client, other_client: Client, shopper: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    console = await client.get(f"/live/{stream_id}/console")
    assert console.status_code == 200
    assert f'data-pin="{ids[0]}"' in console.text
    assert "Launch flash sale" in console.text
    assert (await other_client.get(f"/live/{stream_id}/console")).status_code == 404  # the merchant
    await client.post(f"/api/v1/streams/{stream_id}/moderators", json={"user_id": shopper.id})
    moderated = await shopper.get(f"/live/{stream_id}/console")
    assert moderated.status_code == 200
    assert 'data-move="end"' not in moderated.text  # only the host starts and ends the stream


async def test_ended_room_goes_to_the_replay_with_chapters_at_todays_price(
    client: Client, other_client: Client
) -> None:
    stream_id, ids = await streaming_room(client, other_client)
    for product_id in ids:
        await client.post(f"/api/v1/streams/{stream_id}/pin", json={"product_id": product_id})
    await client.post(f"/api/v1/streams/{stream_id}/chat", json={"text": "<img src=x onerror=alert(1)>"})
    await client.post(f"/api/v1/streams/{stream_id}/end")
    variant_id = (await other_client.get(f"/api/v1/products/{ids[0]}")).json()["variants"][0]["id"]
    repriced = await other_client.patch(
        f"/api/v1/products/{ids[0]}",
        json={"variants": [{"id": variant_id, "price": {"amount": 777, "currency": "USD"}}]},
    )
    room = await other_client.get(f"/live/{stream_id}")
    assert room.status_code in (302, 303)
    assert room.headers["location"] == f"/live/{stream_id}/replay"
    replay = (await other_client.get(f"/live/{stream_id}/replay")).text
    chapters = re.findall(r'class="chapter" data-at="(\d+)"', replay)
    assert len(chapters) == 2
    assert replay.index(f'href="/products/{ids[0]}') < replay.index(f'href="/products/{ids[1]}')
    assert repriced.status_code == 200, repriced.text
    assert "$7.77" in replay
    assert "&lt;img src=x onerror=alert(1)&gt;" in replay
    assert "<img src=x" not in replay
