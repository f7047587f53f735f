"""Settings: profile edits, the avatar through the image gate, password change, sessions, API tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User, UserSession
from shop.accounts.sessions import session_user
from tests.helpers import PASSWORD, Client, png_bytes, register

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
)


async def login(client: Client, email: str, password: str = PASSWORD, user_agent: str | None = None) -> None:
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    )
    assert response.status_code == 200, response.text


async def test_patch_me_changes_name_and_bio(shopper: Client) -> None:
    me = shopper.me
    response = await shopper.patch("/api/v1/me", json={"display_name": "  Lin  ", "bio": "Tea &\r\nclay"})
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Lin"
    assert response.json()["bio"] == "Tea &\nclay"
    # A PATCH of the bio alone leaves the name alone.
    await shopper.patch("/api/v1/me", json={"bio": "Only bio"})
    profile = (await shopper.get(f"/api/v1/users/{me['id']}")).json()
    assert (profile["display_name"], profile["bio"], profile["avatar_url"]) == ("Lin", "Only bio", None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"display_name": "Ann\x00"}, "display_name"),
        ({"display_name": "\u202eevil"}, "display_name"),
        ({"bio": "x" * 10_240}, "bio"),
        ({"bio": "red \x1b[31m text"}, "bio"),
        ({"email": "takeover@example.com"}, "email"),
    ],
)
async def test_profile_edit_validation_names_the_field(
    client: Client, db: AsyncSession, body: dict[str, Any], field: str
) -> None:
    me = await register(client, "valid@example.com", display_name="Valid")
    response = await client.patch("/api/v1/me", json=body)
    assert response.status_code == 422
    assert field in str(response.json().get("fields", {})), response.text
    user = await db.get(User, me["id"])
    assert user is not None
    assert (user.display_name, user.bio, user.email) == (
        "Valid",
        "",
        "valid@example.com",
    )


async def test_profile_form_rerenders_with_errors_then_saves(shopper: Client) -> None:
    me = shopper.me
    page = await shopper.get("/settings/profile")
    assert page.status_code == 200
    assert 'name="display_name"' in page.text
    bad = await shopper.form("/settings/profile", {"display_name": "", "bio": "<script>x</script>"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")  # a page, not text a browser shows raw
    assert 'class="field-error"' in bad.text
    assert "&lt;script&gt;x&lt;/script&gt;" in bad.text
    assert "<script>x</script>" not in bad.text
    good = await shopper.form("/settings/profile", {"display_name": "Mei <b>", "bio": "Line one\nLine two"})
    assert good.status_code in (302, 303)
    assert good.headers["location"] == "/settings/profile?saved=1"
    profile = await shopper.get(f"/users/{me['id']}")
    assert "Mei &lt;b&gt;" in profile.text
    assert "Line one\nLine two" in profile.text
    assert "Edit profile" in profile.text


async def test_avatar_goes_through_the_image_gate(
    shopper: Client, other_client: Client, media_dir: Path
) -> None:
    me = shopper.me
    files = {"file": ("me.png", png_bytes(300, 200), "image/png")}
    response = await shopper.post("/api/v1/me/avatar", files=files)
    assert response.status_code == 200, response.text
    url = response.json()["avatar_url"]
    assert url.startswith("/media/")
    assert url.endswith(".jpg")
    with Image.open(media_dir / url.removeprefix("/media/")) as stored:
        assert stored.format == "JPEG"  # re-encoded, not the uploaded PNG bytes
    assert (await shopper.get("/api/v1/me")).json()["avatar_url"] == url
    profile = await other_client.get(f"/users/{me['id']}")
    assert f'src="{url}"' in profile.text
    assert (await other_client.get(f"/api/v1/users/{me['id']}")).json()["avatar_url"] == url

    fake = {"file": ("me.png", b"<svg onload=alert(1)>", "image/png")}
    refused = await shopper.post("/api/v1/me/avatar", files=fake)
    assert refused.status_code == 422
    assert "file" in refused.json()["fields"]
    missing = await shopper.post("/api/v1/me/avatar", files={"other": ("x.png", png_bytes(), "image/png")})
    assert missing.status_code == 422
    assert (await shopper.get("/api/v1/me")).json()["avatar_url"] == url  # unchanged by the failures

    removed = await shopper.delete("/api/v1/me/avatar")
    assert removed.status_code == 200
    assert removed.json()["avatar_url"] is None


async def test_avatar_form_shows_the_gate_error(shopper: Client) -> None:
    token = await shopper.csrf()
    response = await shopper.raw.post(
        "/settings/avatar",
        data={"_csrf_token": token},
        files={"file": ("x.gif", b"GIF89a-not-really", "image/gif")},
    )
    assert response.status_code == 422
    assert "Upload a JPEG, PNG, WebP or GIF image." in response.text


async def test_avatar_shows_on_note_cards_and_author_json(client: Client, other_client: Client) -> None:
    from tests.helpers import make_note

    await register(client, "author@example.com", role="creator")
    url = (
        await client.post("/api/v1/me/avatar", files={"file": ("a.png", png_bytes(), "image/png")})
    ).json()["avatar_url"]
    note = await make_note(client, [], title="Avatar note")
    assert note["author"]["avatar_url"] == url
    feed = (await other_client.get("/api/v1/notes")).json()
    assert feed["items"][0]["author"]["avatar_url"] == url
    page = await other_client.get(f"/notes/{note['id']}")
    assert f'src="{url}"' in page.text


async def test_profile_counts_follower_nouns(creator: Client, other_client: Client) -> None:
    star = creator.me
    await register(other_client, "fan1@example.com")
    await other_client.post(f"/api/v1/users/{star['id']}/follow")
    assert "1 follower<" in (await other_client.get(f"/users/{star['id']}")).text
    await other_client.post("/api/v1/auth/logout")
    await register(other_client, "fan2@example.com")
    await other_client.post(f"/api/v1/users/{star['id']}/follow")
    page = (await other_client.get(f"/users/{star['id']}")).text
    assert "2 followers<" in page
    assert "Edit profile" not in page


async def test_password_change_keeps_this_session_and_signs_out_others(
    client: Client, other_client: Client
) -> None:
    await register(client, "pw@example.com")
    await login(other_client, "pw@example.com")
    wrong = await client.post(
        "/api/v1/me/password", json={"current_password": "not-it-at-all", "new_password": "brand new pass"}
    )
    assert wrong.status_code == 422
    assert "current_password" in wrong.json()["fields"]
    short = await client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "x"})
    assert short.status_code == 422
    assert "new_password" in short.json()["fields"]
    assert (await other_client.get("/api/v1/me")).status_code == 200  # failures change nothing

    ok = await client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "brand new pass"}
    )
    assert ok.status_code == 200
    assert ok.json()["signed_out_sessions"] == 1
    assert (await client.get("/api/v1/me")).status_code == 200
    assert (await other_client.get("/api/v1/me")).status_code == 401
    old = await other_client.post(
        "/api/v1/auth/login", json={"email": "pw@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401
    await login(other_client, "pw@example.com", "brand new pass")


async def test_password_form_rerenders_errors(shopper: Client) -> None:
    body = {
        "current_password": "wrong-password",
        "new_password": "another pass",
        "confirm_password": "another pass",
    }
    wrong = await shopper.form("/settings/password", body)
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("text/html")
    assert "That is not your current password." in wrong.text
    differ = await shopper.form(
        "/settings/password", {**body, "current_password": PASSWORD, "confirm_password": "x"}
    )
    assert differ.status_code == 422
    assert "differ" in differ.text
    done = await shopper.form("/settings/password", {**body, "current_password": PASSWORD})
    assert done.status_code in (302, 303)
    assert (await shopper.get("/api/v1/me")).status_code == 200


async def test_sessions_list_and_revoke(client: Client, other_client: Client, db: AsyncSession) -> None:
    me = await register(client, "sess@example.com")
    await login(other_client, "sess@example.com", user_agent=PHONE_UA)
    listed = (await client.get("/api/v1/me/sessions")).json()["items"]
    assert len(listed) == 2
    mine = next(s for s in listed if s["current"])
    phone = next(s for s in listed if not s["current"])
    assert phone["device"] == "Safari on iPhone"
    assert phone["ip"] == "203.0.113.7"
    page = await client.get("/settings/sessions")
    assert "Safari on iPhone" in page.text
    assert "This device" in page.text

    assert (await client.delete(f"/api/v1/me/sessions/{phone['id']}")).status_code == 204
    assert (await other_client.get("/api/v1/me")).status_code == 401
    signed_out = await other_client.get("/settings")
    assert signed_out.status_code in (302, 303)
    assert signed_out.headers["location"].startswith("/login")
    assert await session_user(db, {"uid": me["id"], "sid": phone["id"]}) is None  # what websockets ask
    assert await session_user(db, {"uid": me["id"], "sid": mine["id"]}) is not None
    assert [s["id"] for s in (await client.get("/api/v1/me/sessions")).json()["items"]] == [mine["id"]]

    # Another user's session is a 404, and stays alive.
    await register(other_client, "intruder@example.com")
    assert (await other_client.delete(f"/api/v1/me/sessions/{mine['id']}")).status_code == 404
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_sign_out_everywhere_else_and_logout_revoke_rows(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    me = await register(client, "every@example.com")
    await login(other_client, "every@example.com")
    response = await client.form("/settings/sessions/others", {})
    assert response.status_code in (302, 303)
    assert (await other_client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 200

    assert (await client.post("/api/v1/auth/logout")).status_code == 200
    rows = (await db.scalars(select(UserSession).where(UserSession.user_id == me["id"]))).all()
    assert len(rows) == 2
    assert all(row.revoked_at is not None for row in rows)


async def test_api_tokens_list_and_revoke(shopper: Client, other_client: Client) -> None:
    created = await shopper.post("/api/v1/auth/tokens", json={"name": "sync script"})
    secret = created.json()["token"]
    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await other_client.get("/api/v1/me", headers=bearer)).status_code == 200
    listed = await shopper.get("/api/v1/auth/tokens")
    assert secret not in listed.text
    [token] = listed.json()["items"]
    assert token["name"] == "sync script"
    assert token["last_used_at"] is not None

    await register(other_client, "thief@example.com")
    assert (await other_client.delete(f"/api/v1/auth/tokens/{token['id']}")).status_code == 404
    assert (await shopper.delete(f"/api/v1/auth/tokens/{token['id']}")).status_code == 204
    revoked = await other_client.get("/api/v1/me", headers=bearer)
    assert revoked.status_code == 401
    assert (await shopper.get("/api/v1/auth/tokens")).json()["items"] == []


async def test_token_page_shows_the_secret_once(shopper: Client) -> None:
    created = await shopper.form("/settings/tokens", {"name": "<b>bot</b>"})
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    secret = created.text.split("data-secret>", 1)[1].split("<", 1)[0]
    assert secret.startswith("zc_")
    assert "&lt;b&gt;bot&lt;/b&gt;" in created.text
    again = await shopper.get("/settings/tokens")
    assert secret not in again.text
    assert "&lt;b&gt;bot&lt;/b&gt;" in again.text
    empty = await shopper.form("/settings/tokens", {"name": ""})
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("text/html")
    assert 'class="field-error"' in empty.text


async def test_a_token_can_expire_and_then_signs_nobody_in(
    shopper: Client, other_client: Client, clock: ModuleType
) -> None:
    created = await shopper.post("/api/v1/auth/tokens", json={"name": "week", "expires_in_days": 7})
    assert created.status_code == 201, created.text
    assert created.json()["expires_at"] is not None
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await other_client.get("/api/v1/me", headers=bearer)).status_code == 200
    clock.advance(timedelta(days=7, minutes=1))
    assert (await other_client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert "data-expired" in (await shopper.get("/settings/tokens")).text
    never = (await shopper.post("/api/v1/auth/tokens", json={"name": "cron"})).json()
    assert never["expires_at"] is None
    for days in (0, 366, "soon"):
        bad = await shopper.post("/api/v1/auth/tokens", json={"name": "x", "expires_in_days": days})
        assert bad.status_code in (400, 422), bad.text


async def test_the_token_page_sets_an_expiry(shopper: Client) -> None:
    made = await shopper.form("/settings/tokens", {"name": "monthly", "expires_in_days": "30"})
    assert made.status_code == 200, made.text
    assert "expires " in made.text
    wrong = await shopper.form("/settings/tokens", {"name": "x", "expires_in_days": "9999"})
    assert wrong.status_code == 422
    assert 'class="field-error"' in wrong.text
