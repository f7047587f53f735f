"""Search finds Chinese as well as English, with the same results on SQLite (FTS5 trigram plus a
LIKE fallback for 1-2 character terms) and PostgreSQL (pg_trgm): notes, products and people."""

from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.core import search
from tests.helpers import Client, make_note, make_product, register

PRODUCTS = {
    "longjing": ("龙井绿茶 Longjing Green Tea", "LJ-1"),
    "oolong": ("乌龙茶 Tieguanyin Oolong", "OL-1"),
    "whisk": ("Matcha Whisk", "MW-1"),
    "percent": ("100% Cotton Tee", "CT-1"),
    "underscore": ("Snake_case Mug", "SM-1"),
    "cup": ("茶杯 Celadon Cup", "CC-1"),
}


async def _products(client: Client) -> dict[str, int]:
    await register(client, "m@example.com", role="merchant", shop_name="Leaf Lab")
    ids = {}
    for key, (name, sku) in PRODUCTS.items():
        ids[key] = (await make_product(client, name, sku=sku, open_bps=1000))["id"]
    return ids


async def _product_search(client: Client, q: str) -> set[int]:
    response = await client.get("/api/v1/products", params={"q": q, "limit": 50})
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()["items"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("茶", {"longjing", "oolong", "cup"}),  # one CJK character: the LIKE fallback on SQLite
        ("绿茶", {"longjing"}),  # two characters: still the fallback
        ("乌龙茶", {"oolong"}),  # three: the trigram index
        ("tea", {"longjing"}),
        ("GREEN tea", {"longjing"}),  # case-insensitive, every term (AND)
        ("茶 oolong", {"oolong"}),  # mixed scripts and lengths, AND
        ("茶\uff0cceladon", {"cup"}),  # a Chinese comma separates terms
        ("cup 绿茶", set()),  # both terms must match the same product
        ("%", {"percent"}),  # LIKE metacharacters are literal
        ("100%", {"percent"}),
        ("_", {"underscore"}),  # `_` is not a wildcard either
        ("e_c", {"underscore"}),
        ("h_s", set()),  # as a wildcard it would match "whisk"
        ("%%%", set()),
        ("___", set()),
        ("matcha*", set()),  # FTS5 syntax is literal inside our quoted strings
        ("NEAR(tea)", set()),  # "near" AND "tea": no product has "near"; never an FTS syntax error
    ],
)
async def test_product_search_terms(client: Client, q: str, expected: set[str]) -> None:
    ids = await _products(client)
    assert await _product_search(client, q) == {ids[k] for k in expected}


async def test_quotes_and_operators_never_break_the_query(client: Client) -> None:
    ids = await _products(client)
    for q in ['"', '""', '"oolong', 'oolong"', 'tie"guan', "AND OR NOT", "-oolong", "oolong^", "{ola}"]:
        response = await client.get("/api/v1/products", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert await _product_search(client, '"oolong"') == {ids["oolong"]}
    assert await _product_search(client, '"') == set(ids.values())  # no terms: everything


async def test_long_query_is_a_clear_422(client: Client) -> None:
    await _products(client)
    for path in ("/api/v1/products", "/api/v1/notes", "/api/v1/users"):
        response = await client.get(path, params={"q": "茶" * 3500})  # 10.5 kB of UTF-8
        assert response.status_code == 422, (path, response.text)
        assert "q" in response.json()["fields"]
    page = await client.get("/search", params={"q": "tea " * 2500})
    assert page.status_code == 422
    assert "at most 200 characters" in page.text


async def test_search_follows_renames(client: Client) -> None:
    """The FTS tables are kept in step by triggers: the old name stops matching, the new one matches."""
    ids = await _products(client)
    renamed = {"name": "抹茶刷 Chasen", "description": "竹子做的"}
    response = await client.patch(f"/api/v1/products/{ids['whisk']}", json=renamed)
    assert response.status_code == 200, response.text
    assert await _product_search(client, "whisk") == set()
    assert await _product_search(client, "抹茶刷") == {ids["whisk"]}
    assert await _product_search(client, "chasen") == {ids["whisk"]}


async def _notes(client: Client, other: Client) -> dict[str, int]:
    product_ids = await _products(other)
    await register(client, "c@example.com", role="creator", display_name="Mei")
    specs = {
        "oolong": ("周末的乌龙茶时间", "Brewing Tieguanyin at home. #teatime", [product_ids["oolong"]]),
        "green": ("Spring green tea", "明前龙井\uff0c清香\u3002 #teatime", [product_ids["longjing"]]),
        "mug": ("My desk mug", "Coffee only, no tea today. #desksetup", [product_ids["underscore"]]),
    }
    return {
        key: (await make_note(client, tagged, title=title, body=body))["id"]
        for key, (title, body, tagged) in specs.items()
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("茶", {"oolong", "green"}),  # "green" holds 茶 through its tagged product's name
        ("龙井", {"green"}),
        ("乌龙茶", {"oolong"}),
        ("清香", {"green"}),
        ("tea", {"oolong", "green", "mug"}),
        ("tea desk", {"mug"}),
        ("teatime 茶", {"oolong", "green"}),
        ("mei", {"oolong", "green", "mug"}),  # the author's name
    ],
)
async def test_note_search(client: Client, other_client: Client, q: str, expected: set[str]) -> None:
    ids = await _notes(client, other_client)
    response = await client.get("/api/v1/notes", params={"q": q})
    assert response.status_code == 200, response.text
    assert {n["id"] for n in response.json()["items"]} == {ids[k] for k in expected}


async def _people(client: Client, db: AsyncSession) -> dict[str, Any]:
    people = {
        "tea": ("tea@example.com", "茶小白", "每天一杯乌龙茶 and a book"),
        "hana": ("hana@example.com", "Hana Park", "Skincare, 100% honest"),
        "lee": ("lee@example.com", "Lee Wen", "Desk setups and keyboards"),
    }
    ids = {}
    for key, (email, name, bio) in people.items():
        me = await register(client, email, role="creator", display_name=name)
        ids[key] = me["id"]
        await client.post("/api/v1/auth/logout")
        # No bio field at sign-up: written straight to the table (the FTS triggers still run).
        await db.execute(update(User).where(User.id == me["id"]).values(bio=bio))
        await db.commit()
    return ids


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("茶", {"tea"}),  # in the name and the bio
        ("乌龙茶", {"tea"}),  # only in the bio, through the index
        ("小白", {"tea"}),
        ("hana", {"hana"}),
        ("PARK", {"hana"}),
        ("100%", {"hana"}),
        ("%", {"hana"}),
        ("desk keyboards", {"lee"}),
        ("wen desk", {"lee"}),  # one term in the name, one in the bio
        ("hana desk", set()),
    ],
)
async def test_people_search(client: Client, db: AsyncSession, q: str, expected: set[str]) -> None:
    ids = await _people(client, db)
    response = await client.get("/api/v1/users", params={"q": q})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {p["id"] for p in items} == {ids[k] for k in expected}
    for person in items:
        assert set(person) == {"id", "display_name", "role", "bio", "follower_count"}


async def test_people_pages_and_bounds(client: Client, db: AsyncSession) -> None:
    ids = await _people(client, db)
    first = (await client.get("/api/v1/users", params={"limit": 2})).json()
    assert [p["id"] for p in first["items"]] == [ids["lee"], ids["hana"]]
    second = (await client.get("/api/v1/users", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [p["id"] for p in second["items"]] == [ids["tea"]]
    assert second["next_cursor"] is None
    assert (await client.get("/api/v1/users", params={"cursor": "not-a-cursor"})).status_code == 422
    assert (await client.get("/api/v1/users", params={"cursor": "x" * 5000})).status_code == 422
    assert (await client.get("/api/v1/users", params={"limit": 500})).status_code == 422


async def test_search_page_tabs(client: Client, other_client: Client, db: AsyncSession) -> None:
    ids = await _notes(client, other_client)
    notes_tab = await client.get("/search", params={"q": "茶"})
    assert notes_tab.status_code == 200
    assert 'value="茶"' in notes_tab.text  # the query stays in the box
    assert f'data-note-id="{ids["oolong"]}"' in notes_tab.text
    assert f'data-note-id="{ids["mug"]}"' not in notes_tab.text
    assert 'aria-current="page">Notes' in notes_tab.text

    products_tab = await client.get("/search", params={"q": "茶", "tab": "products"})
    assert "乌龙茶 Tieguanyin Oolong" in products_tab.text
    assert "$25.99" in products_tab.text
    assert "Matcha Whisk" not in products_tab.text

    people_tab = await client.get("/search", params={"q": "mei", "tab": "people"})
    assert ">Mei<" in people_tab.text
    assert "0 followers" in people_tab.text

    empty = await client.get("/search", params={"q": "zzzz", "tab": "people"})
    assert "No people match “zzzz”" in empty.text
    blank = await client.get("/search", params={"tab": "bogus"})
    assert blank.status_code == 200
    assert "Search zhongcao" in blank.text


async def test_search_page_escapes_the_query(client: Client) -> None:
    page = await client.get("/search", params={"q": '<script>alert("x")</script>'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert" in page.text


async def test_each_database_answers_from_its_own_index(client: Client, db: AsyncSession) -> None:
    """SQLite reads the FTS5 trigram table for 3+ character terms; PostgreSQL can use the GIN index."""
    await _products(client)
    condition = search.matches_all(Product.search_text, "乌龙茶 tieguanyin")
    assert condition is not None
    stmt = select(Product.id).where(condition)
    sql = str(stmt.compile(dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join((await db.execute(text(f"EXPLAIN {sql}"))).scalars())
        assert "ix_products_search_trgm" in plan, plan
    else:
        assert "products_fts MATCH" in sql
        plan = "\n".join(str(row) for row in (await db.execute(text(f"EXPLAIN QUERY PLAN {sql}"))).all())
        assert "products_fts VIRTUAL TABLE" in plan, plan
    assert len((await db.execute(stmt)).all()) == 1
