"""Onboarding (interests, suggested creators, following) and shop storefronts."""

from __future__ import annotations

from typing import Any

from tests.helpers import Client, make_note, make_product, register


async def topical_note(client: Client, title: str, topic: str, product_ids: list[int] | None = None) -> None:
    await make_note(client, product_ids or [], title=title, body=f"Loving this. #{topic}")


async def test_signup_form_lands_on_welcome_with_popular_topics(client: Client, creator: Client) -> None:
    await topical_note(creator, "Glow", "skincare")
    await topical_note(creator, "Glow again", "skincare")
    await topical_note(creator, "Trip", "travel")
    response = await client.form(
        "/signup", {"email": "newbie@example.com", "password": "long enough pw", "display_name": "Newbie"}
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/welcome"
    page = await client.get("/welcome")
    assert page.status_code == 200
    # The most used topic comes first.
    assert page.text.index('value="skincare"') < page.text.index('value="travel"')


async def test_interests_api_validates_and_round_trips(shopper: Client) -> None:
    saved = await shopper.put("/api/v1/me/interests", json={"topics": ["#Skincare", "travel", "skincare"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["topics"] == ["skincare", "travel"]
    assert (await shopper.get("/api/v1/me/interests")).json()["topics"] == ["skincare", "travel"]
    for bad in (["no spaces!"], [f"t{i}" for i in range(21)], ["x" * 41]):
        refused = await shopper.put("/api/v1/me/interests", json={"topics": bad})
        assert refused.status_code == 422
        assert "topics" in str(refused.json()["fields"])
    assert (await shopper.get("/api/v1/me/interests")).json()["topics"] == ["skincare", "travel"]
    anonymous = await shopper.post("/api/v1/auth/logout")
    assert anonymous.status_code == 200
    assert (await shopper.get("/api/v1/me/interests")).status_code == 401


async def make_creators(client: Client) -> dict[str, dict[str, Any]]:
    """A skincare creator with two notes, a travel creator with more followers, and a shopper."""
    people: dict[str, dict[str, Any]] = {}
    people["skin"] = await register(client, "skin@example.com", role="creator")
    await topical_note(client, "Serum", "skincare")
    await topical_note(client, "Toner", "skincare")
    await client.post("/api/v1/auth/logout")
    people["travel"] = await register(client, "travel@example.com", role="creator")
    await topical_note(client, "Kyoto", "travel")
    await client.post("/api/v1/auth/logout")
    people["shopper"] = await register(client, "justbuys@example.com")
    # The shopper follows the travel creator: more followers than the skincare one.
    await client.post(f"/api/v1/users/{people['travel']['id']}/follow")
    await client.post("/api/v1/auth/logout")
    return people


async def test_suggestions_rank_by_interests_then_followers(shopper: Client, other_client: Client) -> None:
    people = await make_creators(other_client)
    me = shopper.me
    plain = (await shopper.get("/api/v1/users/suggested")).json()["items"]
    assert [p["id"] for p in plain] == [people["travel"]["id"], people["skin"]["id"]]  # followers only
    await shopper.put("/api/v1/me/interests", json={"topics": ["skincare"]})
    items = (await shopper.get("/api/v1/users/suggested")).json()["items"]
    ids = [p["id"] for p in items]
    assert ids == [people["skin"]["id"], people["travel"]["id"]]
    assert me["id"] not in ids
    assert people["shopper"]["id"] not in ids
    assert items[0]["topical_note_count"] == 2
    assert len(items[0]["covers"]) == 2
    assert items[0]["covers"][0]["url"].startswith("/media/")
    assert items[0]["is_following"] is False
    assert (await shopper.get("/api/v1/users/suggested?limit=0")).status_code == 422


async def test_welcome_pages_save_interests_and_follow_notifies(
    shopper: Client, other_client: Client
) -> None:
    people = await make_creators(other_client)
    token = await shopper.csrf()
    saved = await shopper.raw.post(
        "/welcome",
        data={"_csrf_token": token, "topics": ["skincare", "travel"], "next": "/"},
        follow_redirects=False,
    )
    assert saved.status_code in (302, 303)
    assert saved.headers["location"] == "/welcome/creators"
    assert (await shopper.get("/api/v1/me/interests")).json()["topics"] == ["skincare", "travel"]
    page = await shopper.get("/welcome/creators")
    assert "Start exploring" in page.text
    assert page.text.index(f'data-creator="{people["skin"]["id"]}"') < page.text.index(
        f'data-creator="{people["travel"]["id"]}"'
    )
    followed = await shopper.form(f"/welcome/follow/{people['skin']['id']}", {"on": "1", "next": "/"})
    assert followed.headers["location"] == "/welcome/creators"
    creator = (await shopper.get(f"/api/v1/users/{people['skin']['id']}")).json()
    assert creator["follower_count"] == 1
    assert creator["is_following"] is True

    await other_client.post("/api/v1/auth/login", json={"email": "skin@example.com", "password": _pw()})
    inbox = (await other_client.get("/api/v1/notifications")).json()["items"]
    assert [n["kind"] for n in inbox] == ["follow"]


async def test_welcome_rejects_bad_topics_with_a_message(shopper: Client) -> None:
    token = await shopper.csrf()
    response = await shopper.raw.post("/welcome", data={"_csrf_token": token, "topics": ["<b>x y</b>"]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Topics are 1-40 letters" in response.text
    assert "<b>x y</b>" not in response.text


def _pw() -> str:
    from tests.helpers import PASSWORD

    return PASSWORD


async def test_storefront_lists_products_and_notes_and_follows_the_owner(
    client: Client, creator: Client
) -> None:
    owner = await register(client, "owner@example.com", role="merchant", shop_name="Tea & <Clay>")
    shop_id = owner["merchant"]["id"]
    cup = await make_product(client, "Celadon Cup", price=1800, open_bps=1000)
    await make_product(client, "Bamboo Whisk", price=950)
    await make_note(client, [], title="Our kiln day")
    await client.post("/api/v1/auth/logout")
    await make_note(creator, [cup["id"]], title="My morning cup")
    await make_note(creator, [], title="Unrelated hike")

    page = await creator.get(f"/shops/{shop_id}")
    assert page.status_code == 200
    assert "Tea &amp; &lt;Clay&gt;" in page.text
    assert "Celadon Cup" in page.text
    assert "Bamboo Whisk" in page.text
    assert "$18.00" in page.text
    assert "0 followers" in page.text
    notes = (await creator.get(f"/shops/{shop_id}?tab=notes")).text
    assert "Our kiln day" in notes
    assert "My morning cup" in notes
    assert "Unrelated hike" not in notes

    followed = await creator.form(f"/shops/{shop_id}/follow", {"on": "1"})
    assert followed.headers["location"] == f"/shops/{shop_id}"
    assert "1 follower<" in (await creator.get(f"/shops/{shop_id}")).text
    assert (await creator.get(f"/api/v1/users/{owner['id']}")).json()["is_following"] is True


async def test_storefront_links_and_missing_shop(client: Client) -> None:
    owner = await register(client, "linked@example.com", role="merchant", shop_name="Linked Shop")
    product = await make_product(client, "Linen Apron")
    shop_id = owner["merchant"]["id"]
    assert f'href="/shops/{shop_id}"' in (await client.get(f"/products/{product['id']}")).text
    assert f'href="/shops/{shop_id}"' in (await client.get("/shop")).text
    missing = await client.get("/shops/999999", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert (await client.get("/shops/99999999999999999999")).status_code == 422
