"""Who and what the demo shows: the shops with their catalogues, creators and shoppers.

Catalogues and people are small text tables (`name | shape | axis: value=cents, ...` with the
description indented below) so the copy reads like copy instead of nested tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

RGB = tuple[int, int, int]

# Shown on the login page on purpose: anyone trying the demo signs in with it.
PASSWORD = "zhongcao-demo"  # noqa: S105


@dataclass(frozen=True, slots=True)
class ProductSpec:
    name: str
    shape: str
    description: str
    axis: str  # the option key ("size", "color", ...), or "" for a single plain variant
    options: tuple[tuple[str, int], ...]  # (option value, price in cents)


@dataclass(frozen=True, slots=True)
class ShopSpec:
    email: str
    owner_name: str
    shop_name: str
    code: str  # SKU prefix
    theme: str
    backdrop: tuple[RGB, RGB]
    bodies: tuple[RGB, ...]
    accent: RGB
    products: tuple[ProductSpec, ...]


@dataclass(frozen=True, slots=True)
class PersonSpec:
    email: str
    role: str
    name: str
    themes: tuple[str, ...]
    bio: str


def _catalogue(table: str) -> tuple[ProductSpec, ...]:
    products: list[ProductSpec] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            last = products[-1]
            products[-1] = replace(last, description=f"{last.description} {line.strip()}".strip())
            continue
        name, shape, variants = (part.strip() for part in line.split("|"))
        axis, _, values = variants.rpartition(":")
        pairs = (option.rsplit("=", 1) for option in values.split(","))
        options = tuple((value.strip(), int(cents)) for value, cents in pairs)
        products.append(ProductSpec(name, shape, "", axis.strip(), options))
    return tuple(products)


def _people(table: str) -> tuple[PersonSpec, ...]:
    people: list[PersonSpec] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            people[-1] = replace(people[-1], bio=line.strip())
            continue
        email, role, name, themes = (part.strip() for part in line.split("|"))
        people.append(PersonSpec(email, role, name, tuple(themes.split()), ""))
    return tuple(people)


# Option values that are colours get drawn in that colour, so product shots match the variant.
COLORS: dict[str, RGB] = {
    "Oat": (226, 212, 186),
    "Sage": (157, 179, 149),
    "Charcoal": (70, 72, 76),
    "Celadon": (172, 204, 186),
    "Tenmoku": (92, 58, 40),
    "Ivory": (240, 234, 220),
    "Forest": (46, 94, 70),
    "Ember": (222, 106, 58),
    "Glacier": (150, 196, 220),
    "Black": (40, 42, 46),
    "Sand": (214, 190, 150),
    "Navy": (44, 58, 96),
    "Slate": (98, 110, 128),
    "Mint": (160, 220, 196),
    "Lilac": (196, 176, 222),
    "Walnut": (120, 84, 56),
    "Oak": (196, 160, 112),
    "Cloud": (236, 238, 242),
}

GLOW_LAB = _catalogue("""
Rice Water Essence | bottle | size: 100 ml=2200, 200 ml=3400
    A milky first-step essence with fermented rice water. Preps skin in ten seconds and layers
    under sunscreen without pilling.
Barrier Repair Cream | jar | size: 50 ml=2800
    Ceramides, cholesterol and squalane in a cushiony cream that calms tight, over-exfoliated skin
    overnight.
10% Niacinamide Serum | dropper | size: 30 ml=1899, 50 ml=2699
    Water-light serum for shine and visible pores. Pairs with zinc PCA to keep oily T-zones matte
    until lunch.
Mineral Sunscreen SPF 50 | tube | size: 50 ml=2400, Travel 20 ml=1200
    Zinc-only daily sunscreen with a sheer peach tint, so no white cast. Reef-friendly and
    fragrance-free.
Green Tea Cleansing Balm | jar | size: 90 g=2100
    Sherbet balm that melts into oil and rinses clean, taking sunscreen and mascara with it.
Hyaluronic Sleeping Mask | jar | size: 75 ml=2600
    Five weights of hyaluronic acid in a bouncy gel you sleep in. Wake up plump, not greasy.
Vitamin C Glow Drops | dropper | size: 15 ml=1900, 30 ml=3200
    Stable 15% ethyl ascorbic acid with ferulic acid for dull, uneven tone. Orange-blossom scent,
    no sting.
Peptide Eye Cream | tube | size: 15 ml=2900
    Cooling metal-tip applicator with copper peptides and caffeine for puffy mornings.
Cica Toner Pads | jar | count: 60 pads=2300, Refill pouch=1800
    Soft embossed pads soaked in centella and panthenol. Swipe after cleansing or leave on red
    patches for five minutes.
Lip Sleeping Balm | jar | flavor: Berry=1400, Vanilla=1400, Grapefruit=1400
    Shea and berry wax overnight lip mask.
Gentle Foaming Cleanser | pump | size: 150 ml=1600, 300 ml=2600
    Low-pH amino acid cleanser that foams softly and never leaves the squeaky feeling.
""")

TEA_AND_CLAY = _catalogue("""
Speckled Stoneware Mug | mug | color: Oat=3200, Sage=3200, Charcoal=3400
    Wheel-thrown 350 ml mug in speckled stoneware with a satin glaze. Dishwasher safe, holds heat
    for ages.
Hand-thrown Teapot | teapot | color: Celadon=7800, Tenmoku=8200
    450 ml teapot with a built-in clay strainer and a spout that pours without dribbling.
Gongfu Cup Set | cup | color: Ivory=4200, Celadon=4200
    Four thin-walled 60 ml tasting cups, each glaze pooled a little differently.
Ceremonial Matcha | tin | size: 30 g=2800, 100 g=7400
    Shade-grown first-harvest matcha from Uji. Bright, creamy and never bitter when whisked at
    75 °C.
Aged White Peony | tin | size: 50 g=1900, 100 g=3400
    Five-year aged Bai Mu Dan pressed into a loose cake. Notes of dried apricot and honey.
Charcoal Roasted Oolong | tin | size: 50 g=2400
    Traditional Wuyi rock oolong, slow roasted over charcoal. Toasty, mineral, endlessly
    re-steepable.
Jasmine Pearls | tin | size: 50 g=1800, 100 g=3200
    Green tea hand-rolled into pearls and scented with fresh jasmine blossoms seven times.
Matcha Bowl | bowl | color: Sage=5400, Charcoal=5400, Oat=5400
    A wide chawan with room to whisk, glazed inside so the foam shows off.
Glass Cold-brew Bottle | flask | Standard=2600
    750 ml borosilicate bottle with a fine mesh filter. Tea leaves in, fridge overnight, done.
Ceramic Incense Holder | cup | Standard=1600
    Tiny speckled dish that catches the ash of one stick. A calm corner for your tea table.
Travel Tea Tumbler | flask | color: Sage=3400, Charcoal=3400
    Double-wall steel tumbler with a removable infuser, keeps tea hot for six hours.
Longjing Green Tea 龙井绿茶 | tin | size: 50 g=2600, 100 g=4800
    明前龙井 picked before the spring rains in Hangzhou. Pan-fired flat leaves, chestnut-sweet and
    清香. Brew at 80 °C in a glass so you can watch the leaves stand up.
Tieguanyin Oolong 铁观音乌龙茶 | tin | size: 50 g=2200, 100 g=3900
    Lightly oxidised Anxi oolong rolled into tight jade pearls. Orchid on the nose, creamy on the
    tongue, and good for seven steeps. 清香型铁观音.
""")

TRAIL_THREAD = _catalogue("""
Merino Base Layer Tee | tee | size: S=6800, M=6800, L=6800, XL=6800
    150 gsm merino that stays fresh for a week-long hike and still looks sharp at dinner.
Packable Rain Shell | jacket | size: S=14900, M=14900, L=14900
    2.5-layer waterproof shell that stuffs into its own chest pocket. Pit zips for steep climbs.
Fleece Quarter-Zip | jacket | color: Forest=8900, Ember=8900, Navy=8900
    Grid fleece that breathes on the ascent and traps heat at the summit.
Trail Runner Cap | cap | color: Sand=2800, Black=2800, Glacier=2800
    Featherweight cap with a soft brim that packs flat and a sweat-wicking band.
Alpine Beanie | beanie | color: Ember=3200, Forest=3200, Oat=3200
    Rib-knit merino beanie with a fold-over cuff. Warm without the itch.
22L Daypack | backpack | color: Forest=11900, Slate=11900
    Everything you need for a summit day: hydration sleeve, hip-belt pockets and a stretchy front
    stash.
Insulated Bottle 750 ml | flask | color: Glacier=3600, Ember=3600, Black=3600, Sand=3600
    Keeps water icy for 24 hours, or tea hot for 12. Powder-coated so it doesn't clang.
Merino Hiking Socks | socks | size: S/M=2600, L/XL=2600
    Cushioned under the foot, thin over the top, and no seams at the toe. Sold as a two-pack.
Sun Hoodie | jacket | size: S=7400, M=7400, L=7400
    UPF 50 hoodie with thumb loops and a scuba hood for exposed ridgelines.
Canvas Market Tote | tote | Standard=4800
    Waxed canvas tote with leather handles, for the farmers market after the trail.
""")

PIXEL_DESK = _catalogue("""
Low-profile Mechanical Keyboard | keyboard | switch: Brown=12900, Red=12900
    75% layout, hot-swappable switches and a gasket mount that sounds like rain on a window.
Walnut Monitor Riser | riser | wood: Walnut=8900, Oak=7900
    Solid walnut riser that lifts your screen to eye level and hides the keyboard underneath.
Silent Wireless Mouse | mouse | color: Cloud=3900, Slate=3900, Mint=3900
    Near-silent clicks, a two-month battery and a shape that fits medium hands.
Felt Desk Mat | mat | size: 80 x 30 cm=4200, 100 x 40 cm=5400
    Merino felt mat with a cork base. Warm under your wrists and quiet under your mouse.
Arc Desk Lamp | lamp | color: Cloud=8900, Black=8900
    Dimmable desk lamp with a warm-to-cool slider and a wireless charging pad in the base.
Studio Headphones | headphones | color: Black=15900, Sand=15900
    Closed-back headphones with memory-foam cushions for long focus sessions.
Dot Grid Notebook A5 | notebook | color: Sage=1800, Navy=1800, Ember=1800, Lilac=1800
    160 pages of 100 gsm paper that takes fountain pen ink without ghosting.
Magnetic Cable Dock | puck | Standard=2200
    Weighted aluminium dock that holds five cables at the edge of your desk, ready to grab.
Faux Desk Plant | plant | Standard=2400
    A little pilea in a ceramic pot that will never judge you for forgetting to water it.
Mug Warmer | mug | color: Cloud=3200, Charcoal=3200
    Keeps coffee at 55 °C and switches off when you lift the mug.
Aluminium Laptop Stand | riser | color: Slate=4900, Cloud=4900
    Six height positions, folds flat to the size of a paperback.
""")

# The first shop belongs to the demo merchant account.
SHOPS: tuple[ShopSpec, ...] = (
    ShopSpec(
        "merchant@demo.test",
        "Hana Park",
        "Glow Lab",
        "GL",
        "skincare",
        backdrop=((253, 232, 226), (244, 205, 200)),
        bodies=((250, 246, 240), (236, 196, 190), (205, 226, 214), (246, 222, 170)),
        accent=(214, 112, 120),
        products=GLOW_LAB,
    ),
    ShopSpec(
        "teaandclay@demo.test",
        "June Okafor",
        "Tea & Clay",
        "TC",
        "tea",
        backdrop=((240, 234, 220), (222, 210, 188)),
        bodies=((196, 122, 88), (157, 179, 149), (226, 212, 186), (120, 130, 110)),
        accent=(168, 96, 64),
        products=TEA_AND_CLAY,
    ),
    ShopSpec(
        "trailthread@demo.test",
        "Marco Alvarez",
        "Trail Thread",
        "TT",
        "outdoor",
        backdrop=((214, 232, 240), (190, 214, 206)),
        bodies=((46, 94, 70), (222, 106, 58), (44, 58, 96), (214, 190, 150), (150, 196, 220)),
        accent=(222, 106, 58),
        products=TRAIL_THREAD,
    ),
    ShopSpec(
        "pixeldesk@demo.test",
        "Priya Raman",
        "Pixel Desk",
        "PD",
        "desk",
        backdrop=((226, 230, 240), (200, 208, 226)),
        bodies=((98, 110, 128), (160, 220, 196), (240, 234, 220), (120, 84, 56)),
        accent=(92, 104, 220),
        products=PIXEL_DESK,
    ),
)

# The first creator and the first shopper are the demo accounts.
CREATORS = _people("""
creator@demo.test | creator | Mia Chen | skincare tea
    Skincare nerd and tea person. Honest reviews, zero gatekeeping.
lena.hikes@demo.test | creator | Lena Ortiz | outdoor
    Weekend ridgelines, weekday spreadsheets. Packing lists that actually work.
kai.desk@demo.test | creator | Kai Nakamura | desk
    Designer. Tiny apartment, tidy desk. I test gear so you don't have to.
june.brews@demo.test | creator | June Li | tea
    Gongfu sessions, clay, slow mornings. Tea shop hopping in every city. 喝茶 · 玩陶 · 慢生活
sora.glow@demo.test | creator | Sora Kim | skincare
    Sensitive skin survivor. Barrier first, actives second.
noah.outside@demo.test | creator | Noah Brooks | outdoor desk
    Remote worker who logs off at five and goes up a hill.
ivy.daily@demo.test | creator | Ivy Wang | skincare tea outdoor desk
    Small rituals, big mood. Sunday resets and what's in my bag.
""")

# Each shopper's default address, where their orders ship: (line1, line2, city, state, ZIP).
ADDRESSES = {
    "shopper@demo.test": ("88 Tea Garden Lane", "Apt 3B", "San Francisco", "CA", "94110"),
    "sam@demo.test": ("2150 Pearl Street", "", "Boulder", "CO", "80302"),
    "rin@demo.test": ("415 Pine Street", "Unit 12", "Seattle", "WA", "98101"),
    "maya@demo.test": ("73 Linden Avenue", "", "Portland", "OR", "97214"),
    "leo@demo.test": ("19 Mercer Street", "Floor 4", "New York", "NY", "10013"),
}
SHOPPERS = _people("""
shopper@demo.test | shopper | Alex Rivera | desk tea
    Here for the recommendations.
sam@demo.test | shopper | Sam Patel | outdoor
rin@demo.test | shopper | Rin Sato | tea skincare
    Matcha every day.
maya@demo.test | shopper | Maya Green | skincare
leo@demo.test | shopper | Leo Martin | desk
    Mechanical keyboard collector.
""")
