import io

import pytest
from PIL import Image
from sqlalchemy import column, table
from sqlalchemy.dialects import postgresql, sqlite

from shop.core import search, security
from shop.core.errors import InvalidInput, PayloadTooLarge
from shop.core.http import safe_path
from shop.core.pages import link_hashtags
from shop.core.pagination import clamp_limit, decode_cursor, encode_cursor
from shop.core.storage import ImageStore, thumb_size


def test_cursor_round_trip_and_garbage() -> None:
    assert decode_cursor(encode_cursor({"id": 42})) == {"id": 42}
    assert decode_cursor(None) is None
    with pytest.raises(InvalidInput):
        decode_cursor("!!!not-base64")
    with pytest.raises(InvalidInput):
        decode_cursor(encode_cursor([1, 2]))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        clamp_limit(0)


def test_search_terms_escape_like_wildcards() -> None:
    assert search.terms("  Dew #Serum, 50% off ") == ["dew", "serum", "50%", "off"]
    notes = table("notes", column("id"), column("search_text"))
    # Two-character terms are LIKE on both backends (a trigram index cannot answer them).
    condition = search.matches_all(notes.c.search_text, "5%")
    assert condition is not None
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        compiled = str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        assert "5\\%" in compiled
        assert "ESCAPE" in compiled
    # Longer terms go through FTS5 MATCH on SQLite, each as a quoted FTS string (quotes split terms).
    long = search.matches_all(notes.c.search_text, 'say "hi"')
    assert long is not None
    on_sqlite = str(long.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "notes_fts MATCH" in on_sqlite
    assert "MATCH '\"say\"'" in on_sqlite
    assert search.matches_all(notes.c.search_text, "  ") is None


def test_passwords_hash_with_argon2id_and_verify() -> None:
    digest = security.hash_password("zhongcao-demo")
    assert digest.startswith("$argon2id$")
    assert security.verify_password(digest, "zhongcao-demo")
    assert not security.verify_password(digest, "wrong")
    assert not security.verify_password(None, "anything")
    assert not security.verify_password("not-a-hash", "anything")


def test_api_tokens_are_stored_as_digests() -> None:
    token, digest = security.new_api_token()
    assert token.startswith("zc_")
    assert digest == security.token_digest(token)
    assert token not in digest


def _jpeg(width: int, height: int, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 90)).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def test_image_store_bounds_pixels_and_bytes(tmp_path: object) -> None:
    store = ImageStore(tmp_path, max_bytes=200_000, max_pixels=1_000_000)  # type: ignore[arg-type]
    with pytest.raises(PayloadTooLarge):
        store.save(_jpeg(2000, 1000))
    with pytest.raises(PayloadTooLarge):
        store.save(b"x" * 200_001)
    with pytest.raises(InvalidInput):
        store.save(b"GIF89a-but-not-really")
    stored = store.save(_jpeg(900, 600))
    assert (stored.width, stored.height) == (900, 600)
    with Image.open(tmp_path / stored.thumb_key) as thumb:  # type: ignore[operator]
        assert thumb.size == thumb_size(900, 600) == (480, 320)
    assert store.save(_jpeg(900, 600)).key == stored.key  # content-addressed


def test_exif_orientation_is_applied_before_stripping(tmp_path: object) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    stored = ImageStore(tmp_path, 10**7, 10**8).save(_jpeg(300, 100, exif=exif))  # type: ignore[arg-type]
    assert (stored.width, stored.height) == (100, 300)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "https://evil.example",
        "evil.example",
        "/ /x",
        "",
        None,
        "/" + "a" * 3000,
    ],
)
def test_redirect_targets_leave_no_way_off_the_site(target: object) -> None:
    assert safe_path(target, "/home") == "/home"


def test_same_site_paths_are_kept() -> None:
    assert safe_path("/welcome?next=/cart#top") == "/welcome?next=/cart#top"


def test_hashtags_link_topics_and_escape_everything_else() -> None:
    html = str(link_hashtags('If you\'re into #tea, try <b>this</b> #绿茶 & "that"'))
    assert '<a href="/topics/tea">#tea</a>' in html
    assert '<a href="/topics/绿茶">#绿茶</a>' in html
    assert "you&#39;re" in html
    assert "/topics/39" not in html  # an escaped apostrophe is not a topic
    assert "<b>" not in html


def test_the_hash_profile_sets_the_cost_of_new_hashes_and_either_verifies_the_other() -> None:
    security.use_hash_profile("standard")
    standard = security.hash_password("zhongcao-demo")
    assert "$m=65536,t=3,p=4$" in standard  # RFC 9106 low-memory: what real accounts get
    security.use_hash_profile("cheapest")
    try:
        cheap = security.hash_password("zhongcao-demo")
        assert "$m=65536" not in cheap
        assert cheap.startswith("$argon2id$")
        assert security.verify_password(standard, "zhongcao-demo")
    finally:
        security.use_hash_profile("standard")
    assert security.verify_password(cheap, "zhongcao-demo")
    assert not security.verify_password(cheap, "wrong")
