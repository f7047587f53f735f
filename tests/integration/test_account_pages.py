"""Sign-up and sign-in forms: CSRF, re-rendered messages, and safe redirects."""

from tests.helpers import PASSWORD, Client, register


async def test_signup_form_creates_account_and_signs_in(client: Client) -> None:
    page = await client.get("/signup")
    assert 'name="_csrf_token"' in page.text
    response = await client.form(
        "/signup",
        {
            "email": "new@example.com",
            "password": PASSWORD,
            "display_name": "New",
            "role": "creator",
            "next": "/cart",
        },
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/welcome?next=/cart"
    assert (await client.get("/api/v1/me")).json()["role"] == "creator"


async def test_signup_form_rerenders_with_messages_and_keeps_input(client: Client) -> None:
    response = await client.form(
        "/signup", {"email": "bad", "password": "x", "display_name": "<b>Me</b>", "role": "shopper"}
    )
    assert response.status_code == 422
    assert "valid email" in response.text
    assert "&lt;b&gt;Me&lt;/b&gt;" in response.text


async def test_form_without_csrf_token_is_refused(client: Client) -> None:
    response = await client.form("/login", {"email": "a@example.com", "password": "x"}, csrf=False)
    assert response.status_code == 403


async def test_login_form_wrong_password_rerenders(client: Client, other_client: Client) -> None:
    await register(other_client, "page@example.com")
    response = await client.form("/login", {"email": "page@example.com", "password": "wrong-password"})
    assert response.status_code == 401
    assert "not correct" in response.text


async def test_login_redirect_never_leaves_the_site(client: Client, other_client: Client) -> None:
    await register(other_client, "redir@example.com")
    response = await client.form(
        "/login", {"email": "redir@example.com", "password": PASSWORD, "next": "//evil.example/phish"}
    )
    assert response.headers["location"] == "/"


async def test_pages_that_need_sign_in_redirect_to_login(client: Client) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"
