"""The notes side of the social loop: comment likes, one-level replies, who gets notified, and the
Following feed. Everything goes through the HTTP API and is checked against the committed rows."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.notes.models import Comment, CommentLike
from shop.notifications.models import Notification
from tests.helpers import Client, make_note, register


async def _comment(client: Client, note_id: int, body: str, parent_id: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"body": body}
    if parent_id is not None:
        payload["parent_id"] = parent_id
    response = await client.post(f"/api/v1/notes/{note_id}/comments", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _inbox(db: AsyncSession, user_id: int) -> list[tuple[str, int | None, str, str]]:
    db.expire_all()
    rows = await db.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    )
    return [(n.kind, n.actor_id, n.subject, n.url) for n in rows]


async def test_comment_like_is_idempotent_and_counted(
    shopper: Client, other_shopper: Client, anonymous: Client, db: AsyncSession
) -> None:
    bo = other_shopper.me
    note = await make_note(shopper, [])
    comment = await _comment(other_shopper, note["id"], "Where is the lamp from?")
    url = f"/api/v1/comments/{comment['id']}/like"

    for _ in range(2):
        liked = await shopper.post(url)
        assert liked.status_code == 200, liked.text
        assert liked.json() == {"active": True, "count": 1}
    assert (await other_shopper.post(url)).json() == {"active": True, "count": 2}

    listed = (await shopper.get(f"/api/v1/notes/{note['id']}/comments")).json()["items"]
    assert [(c["id"], c["like_count"], c["liked"], c["parent_id"]) for c in listed] == [
        (comment["id"], 2, True, None)
    ]
    signed_out = (await anonymous.get(f"/api/v1/notes/{note['id']}/comments")).json()
    assert signed_out["items"][0]["liked"] is False

    for _ in range(2):
        assert (await shopper.delete(url)).json() == {"active": False, "count": 1}
    rows = (await db.scalars(select(CommentLike).where(CommentLike.comment_id == comment["id"]))).all()
    assert [r.user_id for r in rows] == [bo["id"]]
    stored = await db.scalar(select(Comment.like_count).where(Comment.id == comment["id"]))
    assert stored == 1

    assert (await shopper.post("/api/v1/comments/999999/like")).status_code == 404
    assert (await shopper.post(f"/api/v1/comments/{2**60}/like")).status_code == 422
    await shopper.post("/api/v1/auth/logout")
    assert (await shopper.post(url)).status_code == 401


async def test_replies_thread_one_level_and_stay_on_their_note(
    shopper: Client, other_shopper: Client, db: AsyncSession
) -> None:
    note = await make_note(shopper, [], title="Desk tour")
    other_note = await make_note(shopper, [], title="Tea time")
    top = await _comment(other_shopper, note["id"], "Love the plant")
    reply = await _comment(shopper, note["id"], "Thanks! It's a pothos", parent_id=top["id"])
    # A reply to a reply joins the top-level comment's thread: threads are one level deep.
    deeper = await _comment(other_shopper, note["id"], "Easy to keep alive?", parent_id=reply["id"])
    assert (reply["parent_id"], deeper["parent_id"]) == (top["id"], top["id"])

    page = (await shopper.get(f"/api/v1/notes/{note['id']}/comments")).json()
    assert [c["id"] for c in page["items"]] == [top["id"]]
    assert [r["id"] for r in page["items"][0]["replies"]] == [reply["id"], deeper["id"]]
    assert (await shopper.get(f"/api/v1/notes/{note['id']}")).json()["comment_count"] == 3

    elsewhere = await shopper.post(
        f"/api/v1/notes/{other_note['id']}/comments", json={"body": "Hijack", "parent_id": top["id"]}
    )
    assert elsewhere.status_code == 422
    assert "parent_id" in elsewhere.json()["fields"]
    huge = await shopper.post(f"/api/v1/notes/{note['id']}/comments", json={"body": "x", "parent_id": 2**60})
    assert huge.status_code == 422
    db.expire_all()
    assert (await db.scalars(select(Comment.id).where(Comment.note_id == other_note["id"]))).all() == []

    # The page's composer posts a reply as a form and lands on the new comment.
    posted = await other_shopper.form(
        f"/notes/{note['id']}/comments", {"body": "Replying from the page", "parent_id": str(top["id"])}
    )
    assert posted.status_code in {302, 303}
    new_id = int(re.search(r"#comment-(\d+)$", posted.headers["location"]).group(1))  # type: ignore[union-attr]
    assert await db.scalar(select(Comment.parent_id).where(Comment.id == new_id)) == top["id"]
    html = (await shopper.get(f"/notes/{note['id']}")).text
    # Threaded in the page: the new reply sits in the top-level comment's replies list.
    top_at = html.index(f'id="comment-{top["id"]}"')
    assert top_at < html.index('class="comment-replies"') < html.index(f'id="comment-{new_id}"')
    assert f'<li class="comment comment-reply" id="comment-{new_id}"' in html
    assert f'data-reply-to="{top["id"]}"' in html


async def test_who_is_notified_and_never_for_themselves(
    shopper: Client, other_shopper: Client, third_client: Client, db: AsyncSession
) -> None:
    ana = shopper.me
    bo = other_shopper.me
    cy = await register(third_client, "cy@example.test")
    note = await make_note(shopper, [], title="Desk tour")
    note_url = f"/notes/{note['id']}"

    # Self actions notify nobody.
    await shopper.post(f"/api/v1/notes/{note['id']}/like")
    own = await _comment(shopper, note["id"], "Ask me anything")
    await shopper.post(f"/api/v1/comments/{own['id']}/like")
    assert await _inbox(db, ana["id"]) == []

    # A like (twice: only the first is real) and a comment reach the note's author.
    for _ in range(2):
        await other_shopper.post(f"/api/v1/notes/{note['id']}/like")
    bo_comment = await _comment(other_shopper, note["id"], "Where is the lamp from?")
    assert await _inbox(db, ana["id"]) == [
        ("like", bo["id"], "Desk tour", note_url),
        ("comment", bo["id"], "Where is the lamp from?", f"{note_url}#comment-{bo_comment['id']}"),
    ]

    # Cy replies to Bo on Ana's note: a REPLY to Bo, a COMMENT to Ana.
    cy_reply = await _comment(third_client, note["id"], "Same question!", parent_id=bo_comment["id"])
    reply_url = f"{note_url}#comment-{cy_reply['id']}"
    assert (await _inbox(db, bo["id"]))[-1] == ("reply", cy["id"], "Same question!", reply_url)
    assert (await _inbox(db, ana["id"]))[-1] == ("comment", cy["id"], "Same question!", reply_url)

    # Bo replies to Ana's own comment on Ana's note: one REPLY, not a COMMENT as well.
    before = len(await _inbox(db, ana["id"]))
    bo_reply = await _comment(other_shopper, note["id"], "The lamp?", parent_id=own["id"])
    assert (await _inbox(db, ana["id"]))[before:] == [
        ("reply", bo["id"], "The lamp?", f"{note_url}#comment-{bo_reply['id']}")
    ]

    # A comment like (twice) reaches the comment's author once; following notifies the followee once.
    for _ in range(2):
        await shopper.post(f"/api/v1/comments/{cy_reply['id']}/like")
        await shopper.post(f"/api/v1/users/{cy['id']}/follow")
    assert await _inbox(db, cy["id"]) == [
        ("comment_like", ana["id"], "Same question!", reply_url),
        ("follow", ana["id"], "", f"/users/{ana['id']}"),
    ]
    unfollowed = await shopper.delete(f"/api/v1/users/{cy['id']}/follow")
    assert unfollowed.json()["follower_count"] == 0
    await shopper.post(f"/api/v1/users/{cy['id']}/follow")  # re-following within a day: told once
    assert [kind for kind, *_ in await _inbox(db, cy["id"])] == ["comment_like", "follow"]
    assert (await shopper.post(f"/api/v1/users/{ana['id']}/follow")).status_code == 422


async def test_following_feed(
    shopper: Client, other_shopper: Client, third_client: Client, anonymous: Client
) -> None:
    bo = other_shopper.me
    await register(third_client, "cy@example.test")
    bo_notes = [await make_note(other_shopper, [], title=f"Bo {i}") for i in range(3)]
    await make_note(third_client, [], title="Cy's note")
    await make_note(shopper, [], title="Ana's own")

    assert (await anonymous.get("/api/v1/notes?following=true")).status_code == 401
    empty = await shopper.get("/api/v1/notes?following=true")
    assert empty.status_code == 200
    assert empty.json() == {"items": [], "next_cursor": None}
    page = (await shopper.get("/?feed=following")).text
    assert "Creators to follow" in page
    assert f'data-follow="{bo["id"]}"' in page

    await shopper.post(f"/api/v1/users/{bo['id']}/follow")
    first = (await shopper.get("/api/v1/notes?following=true&limit=2")).json()
    rest = (await shopper.get(f"/api/v1/notes?following=true&limit=2&cursor={first['next_cursor']}")).json()
    titles = [n["title"] for n in first["items"] + rest["items"]]
    assert titles == ["Bo 2", "Bo 1", "Bo 0"]
    assert rest["next_cursor"] is None
    assert {n["id"] for n in first["items"] + rest["items"]} == {n["id"] for n in bo_notes}

    html = (await shopper.get("/?feed=following")).text
    assert 'data-following="true"' in html
    assert "Bo 2" in html
    assert "Cy&#39;s note" not in html
    signed_out = (await anonymous.get("/?feed=following")).text
    assert "Sign in to see the latest" in signed_out
