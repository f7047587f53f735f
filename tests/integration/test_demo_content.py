"""The demo reads like real posts: unique titles without "(64)" suffixes, tags and topics that match
what a note is about, stream titles that never name the wrong weekday, and Chinese to search for."""

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.models import Stream
from shop.catalog.models import Product
from shop.demo import seed as demo
from shop.demo.content import SHOPS
from shop.demo.guides import GUIDE_CREATORS
from shop.demo.plan import build_plan
from shop.demo.shows import LIVE_NOW
from shop.settings import Settings
from tests.helpers import Client

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CJK = re.compile(r"[\u4e00-\u9fff]")
# A word in a title or a topic, and the kind of tagged product it promises.
PROMISES = {
    "keyboard": ("keyboard",),
    "mechanicalkeyboard": ("keyboard",),
    "matcha": ("matcha",),
    "merino": ("merino",),
    "oolong": ("oolong",),
    "乌龙茶": ("oolong",),
    "ceramics": ("mug", "teapot", "cup", "bowl"),
    "pottery": ("mug", "teapot", "cup", "bowl"),
    "sunscreen": ("sunscreen",),
    "rain shell": ("shell",),
    "deskplants": ("plant",),
    "ootd": ("tee", "jacket", "shell", "fleece", "hoodie", "beanie", "cap"),
}


def _shop_of() -> dict[tuple[str, str], str]:
    return {(shop.code, p.name): shop.theme for shop in SHOPS for p in shop.products}


def test_note_titles_are_unique_and_plain() -> None:
    titles = [note.title for note in build_plan().notes]
    assert len(titles) == len(set(titles))
    assert not [t for t in titles if re.search(r"\(\d+\)\s*$|#\d+\s*$", t)]
    assert not [t for t in titles if any(day in t.lower() for day in WEEKDAYS)]


def test_each_note_is_about_what_it_tags() -> None:
    theme_of = _shop_of()
    for note in build_plan().notes:
        tagged = {key for image in note.images for key in image.products}
        assert len({theme_of[key] for key in tagged}) <= 1, (note.title, tagged)
        names = " ".join(name.lower() for _, name in tagged)
        topics = re.findall(r"#(\w+)", note.body)
        said = [note.title.lower(), *topics]
        for word, kinds in PROMISES.items():
            if any(word in text for text in said):
                assert any(kind in names for kind in kinds), (note.title, topics, names)


def test_the_demo_has_chinese_notes_and_products() -> None:
    plan = build_plan()
    assert [n for n in plan.notes if CJK.search(n.title) and "茶" in n.title]
    assert [p for p in plan.products if "茶" in p.spec.name]


async def test_seeded_streams_name_no_wrong_weekday(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    await demo.seed(settings, with_notes=False)
    streams = (await db.scalars(select(Stream))).all()
    assert len(streams) >= 5
    for stream in streams:
        when: datetime | None = stream.started_at or stream.scheduled_at or stream.created_at
        assert when is not None
        named = [day for day in WEEKDAYS if day in stream.title.lower()]
        assert named in ([], [WEEKDAYS[when.weekday()]]), (stream.title, when)
    # The Chinese products are searchable from the seeded catalogue, on this backend's own index.
    found = (await client.get("/api/v1/products", params={"q": "乌龙茶"})).json()["items"]
    assert [p["name"] for p in found] == ["Tieguanyin Oolong 铁观音乌龙茶"]
    green = (await client.get("/api/v1/products", params={"q": "茶", "limit": 50})).json()["items"]
    assert {p["name"] for p in green} == {"Tieguanyin Oolong 铁观音乌龙茶", "Longjing Green Tea 龙井绿茶"}
    people = (await client.get("/api/v1/users", params={"q": "喝茶"})).json()["items"]
    assert [p["display_name"] for p in people] == ["June Li"]
    assert await db.scalar(select(Product.id).where(Product.name.like("%(%)"))) is None


def test_the_demo_is_bilingual() -> None:
    """Chinese creators write guides for newcomers in both languages, as the first ones did in 2025;
    comments cross from one language to the other, and so does the live chat."""
    plan = build_plan()
    guides = [n for n in plan.notes if n.author in {c.email for c in GUIDE_CREATORS}]
    assert len(guides) >= 4
    assert [n for n in guides if CJK.search(n.body) and re.search(r"Welcome|Scroll|timer", n.body)]
    english_on_chinese = [c for n in guides for c in n.comments if not CJK.search(c.body) and c.reply]
    assert english_on_chinese
    assert [c for c in english_on_chinese if c.reply and CJK.search(c.reply)]  # answered in Chinese
    # The guides are the newest notes, so a newcomer's feed opens on them.
    assert max(n.age_hours for n in guides) < min(n.age_hours for n in plan.notes if n not in guides)
    chat = [line for line in LIVE_NOW.script.splitlines() if ": " in line]
    assert [line for line in chat if CJK.search(line)]
    assert [line for line in chat if not CJK.search(line)]
