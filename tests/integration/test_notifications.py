"""Notifications: the inbox API and page, the unread badge, and the push that waits for the commit."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.accounts.models import User
from shop.notifications.models import Notification, NotificationKind
from shop.notifications.services import Notifier, user_channel
from tests.helpers import Client, make_note, make_product, register


async def _user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    assert user is not None
    return user


async def _notify(
    app: Litestar, recipient: int, actor: int, *, commit: bool = True, subject: str = "Hi"
) -> None:
    """The way every service notifies: inside a transaction, with the app's own publisher."""
    notifier = Notifier(app.plugins.get(ChannelsPlugin).publish)
    sessions: async_sessionmaker[AsyncSession] = app.state["sessions"]
    async with sessions() as db:
        await notifier.notify(
            db,
            recipient,
            NotificationKind.COMMENT,
            actor=await _user(db, actor),
            subject=subject,
            url=f"/users/{actor}",
        )
        await (db.commit() if commit else db.rollback())


async def _received(app: Litestar, user_id: int, action: Any) -> list[dict[str, Any]]:
    """Everything published on the user's channel while `action` runs (and shortly after)."""
    channels = app.plugins.get(ChannelsPlugin)
    got: list[dict[str, Any]] = []
    async with channels.start_subscription([user_channel(user_id)]) as subscriber:
        await action()
        try:
            async with asyncio.timeout(0.5):
                async for raw in subscriber.iter_events():
                    got.append(json.loads(raw))
        except TimeoutError:
            pass
    return got


async def test_inbox_lists_marks_read_and_is_private(
    app: Litestar, client: Client, other_client: Client, db: AsyncSession
) -> None:
    me = await register(client, "reader@example.com")
    them = await register(other_client, "fan@example.com", role="creator")
    await _notify(app, me["id"], them["id"], subject="fan")
    await _notify(app, me["id"], them["id"], subject="again")

    page = (await client.get("/api/v1/notifications")).json()
    assert page["unread"] == 2
    assert [i["subject"] for i in page["items"]] == ["again", "fan"]
    assert page["items"][0]["actor"]["display_name"] == "fan"
    assert page["items"][0]["read"] is False
    # The other person sees nothing of mine, and anonymous callers are refused.
    assert (await other_client.get("/api/v1/notifications")).json()["items"] == []
    client.raw.cookies.clear()
    assert (await client.get("/api/v1/notifications")).status_code == 401

    await client.post(
        "/api/v1/auth/login", json={"email": "reader@example.com", "password": "correct horse battery"}
    )
    oldest = page["items"][1]["id"]
    marked = (await client.post("/api/v1/notifications/read", json={"up_to_id": oldest})).json()
    assert marked == {"marked": 1, "unread": 1}
    bad = await client.post("/api/v1/notifications/read", json={"up_to_id": -1, "extra": 1})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) >= {"up_to_id", "extra"}


async def test_page_shows_badge_then_marks_read(app: Litestar, client: Client, creator: Client) -> None:
    me = await register(client, "badge@example.com")
    them = creator.me
    for _ in range(3):
        await _notify(app, me["id"], them["id"], subject="<b>bold</b>")
    home = (await client.get("/")).text
    badges = re.findall(r'<span class="badge" data-(?:tab-)?unread-count ?(hidden)?>(\d+)</span>', home)
    assert badges == [("", "3"), ("", "3")]  # the header bell and the Me tab
    inbox = (await client.get("/notifications")).text
    assert inbox.count('class="inbox-item unread"') == 3
    assert "commented on your note" in inbox
    assert "&lt;b&gt;bold&lt;/b&gt;" in inbox
    assert "<b>bold</b>" not in inbox
    assert (await client.get("/api/v1/notifications")).json()["unread"] == 0
    assert "inbox-item unread" not in (await client.get("/notifications")).text
    # Signed out, the page sends people to sign in.
    client.raw.cookies.clear()
    response = await client.get("/notifications", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


async def test_push_waits_for_commit_and_rollback_sends_nothing(
    app: Litestar, shopper: Client, other_client: Client, db: AsyncSession
) -> None:
    me = shopper.me
    them = await register(other_client, "pusher@example.com", role="creator")

    rolled_back = await _received(app, me["id"], lambda: _notify(app, me["id"], them["id"], commit=False))
    assert rolled_back == []
    assert (await db.scalars(select(Notification).where(Notification.user_id == me["id"]))).all() == []

    pushed = await _received(app, me["id"], lambda: _notify(app, me["id"], them["id"], subject="yo"))
    assert pushed == [
        {
            "type": "notification",
            "kind": "comment",
            "actor": "pusher",
            "subject": "yo",
            "url": f"/users/{them['id']}",
        }
    ]


async def test_nobody_is_notified_of_their_own_action(app: Litestar, shopper: Client) -> None:
    me = shopper.me
    await _notify(app, me["id"], me["id"])
    assert (await shopper.get("/api/v1/notifications")).json()["items"] == []


async def test_toggling_a_like_tells_the_author_once(shopper: Client, merchant: Client) -> None:
    product = await make_product(merchant, "Matcha Whisk", sku="WHISK-1")
    note = await make_note(merchant, [product["id"]], title="Whisk it")
    for _ in range(3):
        assert (await shopper.post(f"/api/v1/notes/{note['id']}/like")).status_code == 200
        assert (await shopper.delete(f"/api/v1/notes/{note['id']}/like")).status_code == 200
    await shopper.post(f"/api/v1/notes/{note['id']}/like")
    likes = [n for n in (await merchant.get("/api/v1/notifications")).json()["items"] if n["kind"] == "like"]
    assert len(likes) == 1
    assert likes[0]["actor"]["id"] == shopper.id
