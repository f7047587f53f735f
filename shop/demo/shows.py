"""The demo's live shows: who hosts, what is on the shelf, and what happens when (see `live.py`)."""

# ruff: noqa: RUF001 (the Chinese chat uses full-width punctuation, as Chinese is written)

from __future__ import annotations

from dataclasses import dataclass

from shop.demo.plan import ProductKey


@dataclass(frozen=True, slots=True)
class Show:
    host: str
    title: str
    shelf: tuple[ProductKey, ...]
    # One beat a line: "MM:SS pin <product>", "MM:SS sale <product>" or "MM:SS <email>: <chat>",
    # in time order; product names are looked up on the show's own shelf.
    script: str = ""
    started_min_ago: int = 0
    length_min: int = 0


def _from(shop_code: str, *names: str) -> tuple[ProductKey, ...]:
    return tuple((shop_code, name) for name in names)


LIVE_NOW = Show(
    "merchant@demo.test",
    "Glow-up hour: serums & sleeping masks live",
    _from(
        "GL",
        "10% Niacinamide Serum",
        "Vitamin C Glow Drops",
        "Hyaluronic Sleeping Mask",
        "Rice Water Essence",
        "Cica Toner Pads",
        "Lip Sleeping Balm",
    ),
    """
    00:45 pin Rice Water Essence
    01:20 maya@demo.test: hiii just got home, perfect timing
    02:05 shopper@demo.test: does the essence pill under sunscreen?
    03:10 lin.xiaoyu@demo.test: 刚下班赶上了！油皮可以用这个精华吗？
    05:30 pin Vitamin C Glow Drops
    06:10 rin@demo.test: is the 15 ml enough for a first try?
    07:45 sora.glow@demo.test: the orange-blossom scent is so good, no sting at all
    09:05 zhou.ke@demo.test: 主播可以上手试一下质地吗？
    11:40 pin Hyaluronic Sleeping Mask
    12:15 sam@demo.test: buying this for my sister
    14:50 maya@demo.test: waiting for the serum deal 👀
    """,
    started_min_ago=17,
)
# Pinned after the script above and put on a flash sale "now", on every run that needs a new one.
LIVE_SALE: ProductKey = ("GL", "10% Niacinamide Serum")

# Oldest first, so stream ids follow air dates.
REPLAYS = (
    Show(
        "lena.hikes@demo.test",
        "Packing my 3-day trail kit (and what I'd leave at home)",
        _from(
            "TT",
            "22L Daypack",
            "Packable Rain Shell",
            "Merino Base Layer Tee",
            "Insulated Bottle 750 ml",
            "Alpine Beanie",
        ),
        """
        02:20 pin 22L Daypack
        04:05 sam@demo.test: how heavy is it empty?
        09:35 pin Packable Rain Shell
        11:10 noah.outside@demo.test: this shell saved me on the ridge last week
        17:50 pin Merino Base Layer Tee
        19:30 sam@demo.test: merino for three days without washing? brave
        23:15 pin Insulated Bottle 750 ml
        """,
        started_min_ago=5 * 24 * 60 + 310,
        length_min=26,
    ),
    Show(
        "creator@demo.test",
        "Wind-down ritual: my tea & skincare routine",
        _from("GL", "Rice Water Essence", "Barrier Repair Cream", "Lip Sleeping Balm")
        + _from("TC", "Ceremonial Matcha", "Jasmine Pearls", "Matcha Bowl"),
        """
        03:10 pin Rice Water Essence
        04:40 maya@demo.test: Mia your skin is glowing!!
        09:45 pin Ceremonial Matcha
        10:30 rin@demo.test: what temperature for the matcha?
        12:02 june.brews@demo.test: 80 °C, never boiling, or it turns bitter
        16:20 pin Barrier Repair Cream
        21:50 pin Jasmine Pearls
        22:40 shopper@demo.test: got two, thank you!
        28:40 pin Lip Sleeping Balm
        30:15 ivy.daily@demo.test: the berry one smells like jam
        """,
        started_min_ago=3 * 24 * 60 + 125,
        length_min=32,
    ),
    Show(
        "teaandclay@demo.test",
        "Gongfu tea 101: brewing oolong live from the studio",
        _from(
            "TC",
            "Gongfu Cup Set",
            "Charcoal Roasted Oolong",
            "Hand-thrown Teapot",
            "Aged White Peony",
            "Glass Cold-brew Bottle",
        ),
        """
        02:30 pin Gongfu Cup Set
        03:55 shopper@demo.test: how many grams for a cup set this small?
        08:10 pin Charcoal Roasted Oolong
        09:20 rin@demo.test: the colour of that liquor 😍
        15:45 pin Hand-thrown Teapot
        17:05 june.brews@demo.test: the celadon glaze is even prettier in person
        24:30 pin Aged White Peony
        24:50 sale Aged White Peony
        25:30 leo@demo.test: first time trying white tea, in!
        31:40 pin Glass Cold-brew Bottle
        """,
        started_min_ago=26 * 60,
        length_min=38,
    ),
)

UPCOMING = Show(
    "kai.desk@demo.test",
    "Desk glow-up under $150: building a cozy setup live",
    _from("PD", "Felt Desk Mat", "Arc Desk Lamp", "Walnut Monitor Riser", "Magnetic Cable Dock"),
)
