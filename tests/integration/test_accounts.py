"""Accounts: registration, sign-in, sessions that rotate, CSRF, tokens and login throttling."""

from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from tests.helpers import PASSWORD, Client, register


async def test_register_login_me_logout(client: Client) -> None:
    created = await register(client, "Ann@Example.com", display_name="Ann")
    assert created["email"] == "ann@example.com"
    assert created["merchant"] is None
    me = await client.get("/api/v1/me")
    assert me.json()["display_name"] == "Ann"
    assert (await client.post("/api/v1/auth/logout")).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 401
    login = await client.post("/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert login.status_code == 200
    assert (await client.get("/api/v1/me")).json()["email"] == "ann@example.com"


async def test_merchant_registration_opens_a_shop(client: Client) -> None:
    me = await register(client, "m@example.com", role="merchant", shop_name="Tea & Clay")
    assert me["role"] == "merchant"
    assert me["merchant"]["name"] == "Tea & Clay"


async def test_password_is_hashed_with_argon2(client: Client, db: AsyncSession) -> None:
    await register(client, "hash@example.com")
    user = await db.scalar(select(User).where(User.email == "hash@example.com"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


async def test_duplicate_email_is_409_with_field_error(
    client: Client, other_client: Client, db: AsyncSession
) -> None:
    await register(client, "dup@example.com")
    response = await other_client.post(
        "/api/v1/auth/register",
        json={
            "email": "DUP@example.com",
            "password": "another-password",
            "display_name": "Dup",
            "role": "shopper",
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_exists"
    assert "email" in response.json()["fields"]
    assert await db.scalar(select(func.count(User.id))) == 1


async def test_register_validation_errors_name_the_fields(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "not-an-email",
            "password": "short",
            "display_name": "",
            "role": "admin",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"email", "password", "display_name", "role"} <= set(body["fields"])


async def test_unknown_fields_are_rejected(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "x@example.com",
            "password": PASSWORD,
            "display_name": "X",
            "role": "shopper",
            "is_admin": True,
        },
    )
    assert response.status_code == 422
    assert "is_admin" in response.json()["fields"]


async def test_malformed_json_is_a_clear_400(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert "Traceback" not in response.text


async def test_wrong_password_is_401(client: Client, other_client: Client) -> None:
    await register(client, "pw@example.com")
    response = await other_client.post(
        "/api/v1/auth/login", json={"email": "pw@example.com", "password": "nope-nope"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    unknown = await other_client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x"}
    )
    assert unknown.status_code == 401


async def test_failed_logins_are_throttled_per_account(client: Client, other_client: Client) -> None:
    await register(client, "victim@example.com")
    for _ in range(5):
        bad = await other_client.post(
            "/api/v1/auth/login", json={"email": "victim@example.com", "password": "wrong"}
        )
        assert bad.status_code == 401
    blocked = await other_client.post(
        "/api/v1/auth/login", json={"email": "victim@example.com", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_a_burst_of_wrong_passwords_at_once_gets_no_more_tries_than_the_limit(
    client: Client, other_client: Client
) -> None:
    """Ten wrong passwords at once: the count was read before the verify and written after, so all
    ten were tried. Each now takes its slot first: five are tried (401), five refused (429)."""
    import asyncio

    await register(client, "burst@example.com")
    wrong = {"email": "burst@example.com", "password": "wrong-wrong"}
    answers = await asyncio.gather(*(other_client.post("/api/v1/auth/login", json=wrong) for _ in range(10)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [401] * 5 + [429] * 5
    right = {"email": "burst@example.com", "password": PASSWORD}
    assert (await other_client.post("/api/v1/auth/login", json=right)).status_code == 429


async def test_failed_logins_are_throttled_per_ip_across_accounts(other_client: Client) -> None:
    """30 failures from one address, spread over many accounts, and the 31st try is refused."""
    for n in range(30):
        guess = {"email": f"nobody{n}@example.com", "password": "guess"}
        assert (await other_client.post("/api/v1/auth/login", json=guess)).status_code == 401
    last = await other_client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "y"})
    assert last.status_code == 429
    assert int(last.headers["retry-after"]) > 0


async def test_session_id_rotates_at_login_and_unknown_ids_are_not_adopted(client: Client) -> None:
    await register(client, "rot@example.com")
    first = client.raw.cookies.get("session")
    await client.post("/api/v1/auth/logout")
    client.raw.cookies.set("session", "attacker-chosen-session-id", domain="testserver.local")
    await client.post("/api/v1/auth/login", json={"email": "rot@example.com", "password": PASSWORD})
    second = client.raw.cookies.get("session")
    assert second not in (None, first, "attacker-chosen-session-id")
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_old_session_id_is_dead_after_rotation(client: Client, other_client: Client) -> None:
    await register(client, "old@example.com")
    before = client.raw.cookies.get("session")
    await client.post("/api/v1/auth/login", json={"email": "old@example.com", "password": PASSWORD})
    assert client.raw.cookies.get("session") != before
    other_client.raw.cookies.set("session", before, domain="testserver.local")
    assert (await other_client.get("/api/v1/me")).status_code == 401


async def test_cookie_requests_need_the_csrf_header(shopper: Client) -> None:
    response = await shopper.post("/api/v1/auth/tokens", json={"name": "cli"}, csrf=False)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    forged = await shopper.post(
        "/api/v1/auth/tokens", json={"name": "cli"}, headers={"X-CSRFToken": "forged"}
    )
    assert forged.status_code == 403


async def test_bearer_token_needs_no_csrf(client: Client, other_client: Client) -> None:
    await register(client, "bot@example.com")
    token = (await client.post("/api/v1/auth/tokens", json={"name": "script"})).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = await other_client.get("/api/v1/me", headers=headers)
    assert me.json()["email"] == "bot@example.com"
    bad = await other_client.get("/api/v1/me", headers={"Authorization": "Bearer zc_nope"})
    assert bad.status_code == 401


async def test_follow_and_unfollow_move_counters(creator: Client, shopper: Client) -> None:
    star = creator.me
    followed = await shopper.post(f"/api/v1/users/{star['id']}/follow")
    assert followed.json()["follower_count"] == 1
    again = await shopper.post(f"/api/v1/users/{star['id']}/follow")
    assert again.json()["follower_count"] == 1
    unfollowed = await shopper.delete(f"/api/v1/users/{star['id']}/follow")
    assert unfollowed.json()["follower_count"] == 0


async def test_anonymous_visits_store_no_session(client: Client, app: Litestar) -> None:
    for path in ("/api/v1/health", "/", "/api/v1/notes"):
        response = await client.get(path)
        assert "session=" not in response.headers.get("set-cookie", "")
    await register(client, "s@example.com")
    session_id = client.raw.cookies.get("session")
    store = app.stores.get("sessions")
    assert await store.get(session_id) is not None
    await client.post("/api/v1/auth/logout")
    assert await store.get(session_id) is None
