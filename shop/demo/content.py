"""Hand-written demo copy: shops, products, people and the phrases notes are assembled from."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]

PASSWORD = "zhongcao-demo"


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
    name: str
    role: str
    bio: str
    themes: tuple[str, ...]


P = ProductSpec
# Option values that are colours get drawn in that colour, so product shots match the variant.
COLORS: dict[str, RGB] = {
    "Oat": (226, 212, 186), "Sage": (157, 179, 149), "Charcoal": (70, 72, 76),
    "Celadon": (172, 204, 186), "Tenmoku": (92, 58, 40), "Ivory": (240, 234, 220),
    "Forest": (46, 94, 70), "Ember": (222, 106, 58), "Glacier": (150, 196, 220),
    "Black": (40, 42, 46), "Sand": (214, 190, 150), "Navy": (44, 58, 96),
    "Slate": (98, 110, 128), "Mint": (160, 220, 196), "Lilac": (196, 176, 222),
    "Walnut": (120, 84, 56), "Oak": (196, 160, 112), "Cloud": (236, 238, 242),
    "Berry": (190, 60, 96), "Vanilla": (246, 226, 180), "Grapefruit": (246, 140, 120),
    "Brown": (150, 100, 70), "Red": (210, 70, 70),
}

SHOPS: tuple[ShopSpec, ...] = (
    ShopSpec("merchant@demo.test", "Hana Park", "Glow Lab", "GL", "skincare",
             ((253, 232, 226), (244, 205, 200)), ((250, 246, 240), (236, 196, 190), (205, 226, 214),
                                                   (246, 222, 170)), (214, 112, 120), (
        P("Rice Water Essence", "bottle", "A milky first-step essence with fermented rice water. "
          "Preps skin in ten seconds and layers under sunscreen without pilling.", "size",
          (("100 ml", 2200), ("200 ml", 3400))),
        P("Barrier Repair Cream", "jar", "Ceramides, cholesterol and squalane in a cushiony cream "
          "that calms tight, over-exfoliated skin overnight.", "size", (("50 ml", 2800),)),
        P("10% Niacinamide Serum", "dropper", "Water-light serum for shine and visible pores. "
          "Pairs with zinc PCA to keep oily T-zones matte until lunch.", "size",
          (("30 ml", 1899), ("50 ml", 2699))),
        P("Mineral Sunscreen SPF 50", "tube", "Zinc-only daily sunscreen with a sheer peach tint, "
          "so no white cast. Reef-friendly and fragrance-free.", "size",
          (("50 ml", 2400), ("Travel 20 ml", 1200))),
        P("Green Tea Cleansing Balm", "jar", "Sherbet balm that melts into oil and rinses clean, "
          "taking sunscreen and mascara with it.", "size", (("90 g", 2100),)),
        P("Hyaluronic Sleeping Mask", "jar", "Five weights of hyaluronic acid in a bouncy gel you "
          "sleep in. Wake up plump, not greasy.", "size", (("75 ml", 2600),)),
        P("Vitamin C Glow Drops", "dropper", "Stable 15% ethyl ascorbic acid with ferulic acid for "
          "dull, uneven tone. Orange-blossom scent, no sting.", "size",
          (("15 ml", 1900), ("30 ml", 3200))),
        P("Peptide Eye Cream", "tube", "Cooling metal-tip applicator with copper peptides and "
          "caffeine for puffy mornings.", "size", (("15 ml", 2900),)),
        P("Cica Toner Pads", "jar", "Soft embossed pads soaked in centella and panthenol. Swipe "
          "after cleansing or leave on red patches for five minutes.", "count",
          (("60 pads", 2300), ("Refill pouch", 1800))),
        P("Lip Sleeping Balm", "jar", "Shea and berry wax overnight lip mask.", "flavor",
          (("Berry", 1400), ("Vanilla", 1400), ("Grapefruit", 1400))),
        P("Gentle Foaming Cleanser", "pump", "Low-pH amino acid cleanser that foams softly and "
          "never leaves the squeaky feeling.", "size", (("150 ml", 1600), ("300 ml", 2600))),
    )),
    ShopSpec("teaandclay@demo.test", "June Okafor", "Tea & Clay", "TC", "tea",
             ((240, 234, 220), (222, 210, 188)), ((196, 122, 88), (157, 179, 149), (226, 212, 186),
                                                   (120, 130, 110)), (168, 96, 64), (
        P("Speckled Stoneware Mug", "mug", "Wheel-thrown 350 ml mug in speckled stoneware with a "
          "satin glaze. Dishwasher safe, holds heat for ages.", "color",
          (("Oat", 3200), ("Sage", 3200), ("Charcoal", 3400))),
        P("Hand-thrown Teapot", "teapot", "450 ml teapot with a built-in clay strainer and a "
          "spout that pours without dribbling.", "color", (("Celadon", 7800), ("Tenmoku", 8200))),
        P("Gongfu Cup Set", "cup", "Four thin-walled 60 ml tasting cups, each glaze pooled a little "
          "differently.", "color", (("Ivory", 4200), ("Celadon", 4200))),
        P("Ceremonial Matcha", "tin", "Shade-grown first-harvest matcha from Uji. Bright, creamy "
          "and never bitter when whisked at 75 °C.", "size", (("30 g", 2800), ("100 g", 7400))),
        P("Aged White Peony", "tin", "Five-year aged Bai Mu Dan pressed into a loose cake. Notes of "
          "dried apricot and honey.", "size", (("50 g", 1900), ("100 g", 3400))),
        P("Charcoal Roasted Oolong", "tin", "Traditional Wuyi rock oolong, slow roasted over "
          "charcoal. Toasty, mineral, endlessly re-steepable.", "size", (("50 g", 2400),)),
        P("Jasmine Pearls", "tin", "Green tea hand-rolled into pearls and scented with fresh "
          "jasmine blossoms seven times.", "size", (("50 g", 1800), ("100 g", 3200))),
        P("Matcha Bowl", "bowl", "A wide chawan with room to whisk, glazed inside so the foam "
          "shows off.", "color", (("Sage", 5400), ("Charcoal", 5400), ("Oat", 5400))),
        P("Glass Cold-brew Bottle", "flask", "750 ml borosilicate bottle with a fine mesh filter. "
          "Tea leaves in, fridge overnight, done.", "", (("Standard", 2600),)),
        P("Ceramic Incense Holder", "cup", "Tiny speckled dish that catches the ash of one "
          "stick. A calm corner for your tea table.", "", (("Standard", 1600),)),
        P("Travel Tea Tumbler", "flask", "Double-wall steel tumbler with a removable infuser, "
          "keeps tea hot for six hours.", "color", (("Sage", 3400), ("Charcoal", 3400))),
    )),
    ShopSpec("trailthread@demo.test", "Marco Alvarez", "Trail Thread", "TT", "outdoor",
             ((214, 232, 240), (190, 214, 206)), ((46, 94, 70), (222, 106, 58), (44, 58, 96),
                                                   (214, 190, 150)), (222, 106, 58), (
        P("Merino Base Layer Tee", "tee", "150 gsm merino that stays fresh for a week-long hike "
          "and still looks sharp at dinner.", "size",
          (("S", 6800), ("M", 6800), ("L", 6800), ("XL", 6800))),
        P("Packable Rain Shell", "jacket", "2.5-layer waterproof shell that stuffs into its own "
          "chest pocket. Pit zips for steep climbs.", "size", (("S", 14900), ("M", 14900),
                                                              ("L", 14900))),
        P("Fleece Quarter-Zip", "jacket", "Grid fleece that breathes on the ascent and traps heat "
          "at the summit.", "color", (("Forest", 8900), ("Ember", 8900), ("Navy", 8900))),
        P("Trail Runner Cap", "cap", "Featherweight cap with a soft brim that packs flat and a "
          "sweat-wicking band.", "color", (("Sand", 2800), ("Black", 2800), ("Glacier", 2800))),
        P("Alpine Beanie", "beanie", "Rib-knit merino beanie with a fold-over cuff. Warm without "
          "the itch.", "color", (("Ember", 3200), ("Forest", 3200), ("Oat", 3200))),
        P("22L Daypack", "backpack", "Everything you need for a summit day: hydration sleeve, "
          "hip-belt pockets and a stretchy front stash.", "color",
          (("Forest", 11900), ("Slate", 11900))),
        P("Insulated Bottle 750 ml", "flask", "Keeps water icy for 24 hours, or tea hot for 12. "
          "Powder-coated so it doesn't clang.", "color",
          (("Glacier", 3600), ("Ember", 3600), ("Black", 3600), ("Sand", 3600))),
        P("Merino Hiking Socks", "socks", "Cushioned under the foot, thin over the top, and no "
          "seams at the toe. Sold as a two-pack.", "size", (("S/M", 2600), ("L/XL", 2600))),
        P("Sun Hoodie", "jacket", "UPF 50 hoodie with thumb loops and a scuba hood for exposed "
          "ridgelines.", "size", (("S", 7400), ("M", 7400), ("L", 7400))),
        P("Canvas Market Tote", "tote", "Waxed canvas tote with leather handles, for the farmers "
          "market after the trail.", "", (("Standard", 4800),)),
    )),
    ShopSpec("pixeldesk@demo.test", "Priya Raman", "Pixel Desk", "PD", "desk",
             ((226, 230, 240), (200, 208, 226)), ((98, 110, 128), (160, 220, 196), (240, 234, 220),
                                                   (120, 84, 56)), (92, 104, 220), (
        P("Low-profile Mechanical Keyboard", "keyboard", "75% layout, hot-swappable switches and "
          "a gasket mount that sounds like rain on a window.", "switch",
          (("Brown", 12900), ("Red", 12900))),
        P("Walnut Monitor Riser", "riser", "Solid walnut riser that lifts your screen to eye level "
          "and hides the keyboard underneath.", "wood", (("Walnut", 8900), ("Oak", 7900))),
        P("Silent Wireless Mouse", "mouse", "Near-silent clicks, a two-month battery and a shape "
          "that fits medium hands.", "color", (("Cloud", 3900), ("Slate", 3900), ("Mint", 3900))),
        P("Felt Desk Mat", "mat", "Merino felt mat with a cork base. Warm under your wrists and "
          "quiet under your mouse.", "size", (("80 x 30 cm", 4200), ("100 x 40 cm", 5400))),
        P("Arc Desk Lamp", "lamp", "Dimmable desk lamp with a warm-to-cool slider and a wireless "
          "charging pad in the base.", "color", (("Cloud", 8900), ("Black", 8900))),
        P("Studio Headphones", "headphones", "Closed-back headphones with memory-foam cushions "
          "for long focus sessions.", "color", (("Black", 15900), ("Sand", 15900))),
        P("Dot Grid Notebook A5", "notebook", "160 pages of 100 gsm paper that takes fountain pen "
          "ink without ghosting.", "color",
          (("Sage", 1800), ("Navy", 1800), ("Ember", 1800), ("Lilac", 1800))),
        P("Magnetic Cable Dock", "puck", "Weighted aluminium dock that holds five cables at the "
          "edge of your desk, ready to grab.", "", (("Standard", 2200),)),
        P("Faux Desk Plant", "plant", "A little pilea in a ceramic pot that will never judge "
          "you for forgetting to water it.", "", (("Standard", 2400),)),
        P("Mug Warmer", "mug", "Keeps coffee at 55 °C and switches off when you lift the mug.",
          "color", (("Cloud", 3200), ("Charcoal", 3200))),
        P("Aluminium Laptop Stand", "riser", "Six height positions, folds flat to the size of a "
          "paperback.", "color", (("Slate", 4900), ("Cloud", 4900))),
    )),
)

CREATORS: tuple[PersonSpec, ...] = (
    PersonSpec("creator@demo.test", "Mia Chen", "creator",
               "Skincare nerd and tea person. Honest reviews, zero gatekeeping.",
               ("skincare", "tea")),
    PersonSpec("lena.hikes@demo.test", "Lena Ortiz", "creator",
               "Weekend ridgelines, weekday spreadsheets. Packing lists that actually work.",
               ("outdoor",)),
    PersonSpec("kai.desk@demo.test", "Kai Nakamura", "creator",
               "Designer. Tiny apartment, tidy desk. I test gear so you don't have to.",
               ("desk",)),
    PersonSpec("june.brews@demo.test", "June Li", "creator",
               "Gongfu sessions, clay, slow mornings. Tea shop hopping in every city.",
               ("tea",)),
    PersonSpec("sora.glow@demo.test", "Sora Kim", "creator",
               "Sensitive skin survivor. Barrier first, actives second.", ("skincare",)),
    PersonSpec("noah.outside@demo.test", "Noah Brooks", "creator",
               "Remote worker who logs off at five and goes up a hill.", ("outdoor", "desk")),
    PersonSpec("ivy.daily@demo.test", "Ivy Wang", "creator",
               "Small rituals, big mood. Sunday resets and what's in my bag.",
               ("skincare", "tea", "outdoor", "desk")),
)

SHOPPERS: tuple[PersonSpec, ...] = (
    PersonSpec("shopper@demo.test", "Alex Rivera", "shopper", "Here for the recommendations.",
               ("desk", "tea")),
    PersonSpec("sam@demo.test", "Sam Patel", "shopper", "", ("outdoor",)),
    PersonSpec("rin@demo.test", "Rin Sato", "shopper", "Matcha every day.", ("tea", "skincare")),
    PersonSpec("maya@demo.test", "Maya Green", "shopper", "", ("skincare",)),
    PersonSpec("leo@demo.test", "Leo Martin", "shopper", "Mechanical keyboard collector.",
               ("desk",)),
)

# Title templates: {p} is the main tagged product. Kept short so the cover caption stays legible.
TITLES: dict[str, tuple[str, ...]] = {
    "skincare": (
        "My 5-step night routine ✨", "{p} after 30 days: honest review",
        "Glass skin on a budget?", "Empties I'd repurchase 💧", "Why I stopped over-exfoliating",
        "{p} is the quiet hero of my shelf", "Morning routine for oily skin",
        "Dewy makeup starts with this", "Shelfie update 🌸", "Sensitive skin? Read this first",
        "The {p} hype is real", "Travel skincare kit, carry-on only",
    ),
    "tea": (
        "Slow morning with {p} 🍵", "Gongfu tea for beginners",
        "My tea corner, finally done", "Iced matcha latte, cafe-level at home",
        "{p}: worth it?", "Three teas for rainy afternoons", "Sunday tea ritual ☕",
        "How I brew {p}", "Pottery haul from the weekend market", "Cold brew tea season is here",
        "A tiny tea table in a tiny flat", "Matcha that isn't bitter 🍵",
    ),
    "outdoor": (
        "Ridge hike packing list 🏔️", "Tested {p} in a downpour",
        "What I wear on 20 km days", "Sunrise hike, zero regrets 🌄", "Lightweight layering 101",
        "{p} review after 300 km", "Trail outfit of the week", "Day hike essentials under 5 kg",
        "Camping weekend with friends ⛺", "Layers for a windy summit",
        "Why merino changed my hikes", "Autumn colours on the trail 🍂",
    ),
    "desk": (
        "Desk setup tour 2026 ⌨️", "{p}: a month later",
        "Small desk, big productivity", "Cable management that finally stuck",
        "Cozy WFH corner for winter", "{p} is the upgrade I didn't know I needed",
        "Minimal desk, maximal focus", "Warm lighting for late nights 💡",
        "My favourite desk upgrades under $50", "Before and after: desk glow-up",
        "Deep work setup, no distractions", "The keyboard sound test 🎧",
    ),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "skincare": (
        "My skin has been so much calmer since I simplified everything.",
        "Texture is lightweight and it sinks in within a minute.",
        "I patch tested for a week before putting it all over.",
        "No fragrance, no sting, even on the dry patches around my nose.",
        "It layers nicely under sunscreen and makeup, no pilling at all.",
        "Not sponsored, I just keep reaching for it every night.",
        "The packaging is cute but the formula is what keeps me coming back.",
        "Tip: apply on damp skin and wait a moment before the next step.",
    ),
    "tea": (
        "The first steep is floral, the third turns honey-sweet.",
        "Water just off the boil, short steeps, lots of rounds.",
        "I love how the glaze changes colour when the tea hits it.",
        "It's become my favourite ten minutes of the day.",
        "Pairs perfectly with a slice of almond cake.",
        "The clay keeps the tea warm way longer than glass.",
        "If you're new to loose leaf, start here.",
        "Phone away, kettle on, window open.",
    ),
    "outdoor": (
        "Started at 5 am to catch the light on the ridge.",
        "It packs down to nothing and weighs less than my phone.",
        "Rain rolled in on the way down and I stayed completely dry.",
        "Layering is everything when the wind picks up above the tree line.",
        "Comfortable from the trailhead to the summit and back.",
        "Ten hours on the trail and no hot spots.",
        "The colour looks even better in the mountains.",
        "Leave no trace, take only photos.",
    ),
    "desk": (
        "Everything I touch every day is within arm's reach now.",
        "Warm light after sunset makes late work feel less grim.",
        "Typing feel is soft and the sound is a gentle thock.",
        "The cables are finally hidden and I can't stop looking at it.",
        "Sitting at eye level fixed my neck in a week.",
        "Small desk, but every item earns its place.",
        "I spent way too long choosing the colour and zero regrets.",
        "Focus mode: lamp on, headphones on, phone in the drawer.",
    ),
}

TOPICS: dict[str, tuple[str, ...]] = {
    "skincare": ("skincare", "glowyskin", "skincareroutine", "selfcare", "sensitiveskin"),
    "tea": ("teatime", "matcha", "gongfu", "ceramics", "slowliving"),
    "outdoor": ("hiking", "ootd", "outdoorstyle", "trailrun", "weekendvibes"),
    "desk": ("desksetup", "wfh", "productivity", "mechanicalkeyboard", "minimalism"),
}

COMMENTS: tuple[str, ...] = (
    "Saving this for later!", "Where is the mug from? 😍", "This is so calming to look at.",
    "Ordered one after seeing this, thank you!", "How long did it take to see a difference?",
    "Obsessed with this colour palette.", "Can you do a full review?",
    "Same! It's been in my cart for weeks.", "Great tips, super helpful.",
    "Does it come in other sizes?", "The lighting in this photo is perfect ✨",
    "Adding to my wishlist right now.", "Is it worth the price?", "Love this so much 💛",
    "Just tried it, you were right.", "Need a part two!",
)

REPLIES: tuple[str, ...] = (
    "Thank you! Linked it in the tags 🙌", "About two weeks for me, go slow!",
    "Yes, totally worth it in my opinion.", "Part two is coming this weekend!",
)
