"""Issue 13's page findings: a user's saved notes are theirs alone (the tab is hidden from others,
as on Xiaohongshu), and a note's hashtags are linked on the raw text, so escaped text never
becomes a topic link and markup in the text stays text."""

from __future__ import annotations

from tests.helpers import Client, make_note


async def test_saved_notes_are_shown_to_their_owner_only(
    shopper: Client, other_shopper: Client, anonymous: Client
) -> None:
    note = await make_note(shopper, [], title="Gift ideas for my sister")
    saved = await other_shopper.post(f"/api/v1/notes/{note['id']}/save")
    assert saved.status_code == 200, saved.text
    saver = other_shopper.id
    saved_tab = f"/users/{saver}?tab=saved"

    own = await other_shopper.get(saved_tab)
    assert own.status_code == 200
    assert "Gift ideas for my sister" in own.text
    assert f'href="/users/{saver}?tab=saved"' in own.text

    for stranger in (shopper, anonymous):
        page = await stranger.get(saved_tab)
        # Others get the profile's default tab (Notes), with no Saved tab to open.
        assert page.status_code == 200
        assert "Gift ideas for my sister" not in page.text
        assert "?tab=saved" not in page.text
        assert "Nothing here yet." in page.text  # the saver wrote no note of their own


async def test_hashtags_link_on_the_raw_text_and_escape_the_rest(shopper: Client, anonymous: Client) -> None:
    body = "If you're into it #glow <script>alert('x')</script> & <b>bold</b>"
    note = await make_note(shopper, [], title="Night routine", body=body)

    page = await anonymous.get(f"/notes/{note['id']}")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/topics/glow">#glow</a>' in html
    assert "If you&#39;re into it" in html
    assert "/topics/39" not in html  # the apostrophe's entity is not a topic
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&amp; &lt;b&gt;bold&lt;/b&gt;" in html
